"""The controlled vocabulary: entity kinds, relationship types, statuses and source kinds.

Declared once; the data dictionary in ``data/README.md``, the API's ``/schema`` and the Neo4j
labels are all derived from these tables.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "Category",
    "EntityKind",
    "PRIMARY_SOURCE_KINDS",
    "RelType",
    "REL_TYPES",
    "SourceKind",
    "Status",
    "STATUS_RANK",
    "label_for_kind",
    "neo4j_rel_type",
    "rel_type",
]


class EntityKind(StrEnum):
    """What an entity is."""

    PERSON = "person"
    COMPANY = "company"
    ORGANIZATION = "organization"
    AGENCY = "agency"
    COURT = "court"
    AGREEMENT = "agreement"
    ASSET = "asset"
    EVENT = "event"
    DOCUMENT = "document"
    ADDRESS = "address"


ENTITY_KIND_HELP: dict[EntityKind, str] = {
    EntityKind.PERSON: "A natural person.",
    EntityKind.COMPANY: "A business: exchange, investment firm, law firm, trading firm.",
    EntityKind.ORGANIZATION: "A non-governmental body: foundation, PAC, committee, task force.",
    EntityKind.AGENCY: "A government department, regulator or office.",
    EntityKind.COURT: "A court of law.",
    EntityKind.AGREEMENT: (
        "A plea agreement, consent order, settlement, monitorship, investment deal or reported "
        "talks; its parties link to it with a role, and amounts and terms live on it."
    ),
    EntityKind.ASSET: "A token, stablecoin or other asset.",
    EntityKind.EVENT: "A dated happening: a case, a meeting, a letter, an announcement, a pardon.",
    EntityKind.DOCUMENT: "A document that is itself a subject, such as an article that makes claims.",
    EntityKind.ADDRESS: "A postal or registered address (from imported registries and leaks).",
}


class Status(StrEnum):
    """How sure we are of a relationship."""

    CONFIRMED = "confirmed"
    REPORTED = "reported"
    ALLEGED = "alleged"
    DENIED = "denied"


STATUS_HELP: dict[Status, str] = {
    Status.CONFIRMED: "An official or primary document was seen.",
    Status.REPORTED: "Reported by the press; not confirmed by a primary document.",
    Status.ALLEGED: "An allegation, e.g. in a complaint, not proven.",
    Status.DENIED: "Claimed by someone and denied; kept so the denial is on record.",
}

#: Higher is stronger evidence; ``min_status`` filters keep ranks >= the given one.
STATUS_RANK: dict[Status, int] = {
    Status.CONFIRMED: 3,
    Status.REPORTED: 2,
    Status.ALLEGED: 1,
    Status.DENIED: 0,
}


class SourceKind(StrEnum):
    """What kind of document a source is."""

    COURT_FILING = "court_filing"
    GOVERNMENT_RELEASE = "government_release"
    LEGISLATIVE_RECORD = "legislative_record"
    COMPANY_STATEMENT = "company_statement"
    NEWS_REPORT = "news_report"
    REPRINT = "reprint"
    PODCAST = "podcast"
    REFERENCE = "reference"
    OTHER = "other"


SOURCE_KIND_HELP: dict[SourceKind, str] = {
    SourceKind.COURT_FILING: "A filing or order of a court.",
    SourceKind.GOVERNMENT_RELEASE: "A release or document published by a government agency.",
    SourceKind.LEGISLATIVE_RECORD: "A release or letter of a legislature or one of its members.",
    SourceKind.COMPANY_STATEMENT: (
        "A statement a party published itself: a company, its officers, or a person's own post."
    ),
    SourceKind.NEWS_REPORT: "A news article or wire story.",
    SourceKind.REPRINT: (
        "A third-party copy of a news report. A labelled copy of a primary record keeps the kind of "
        "what it copies and names it in `copy_of`."
    ),
    SourceKind.PODCAST: "A podcast or its transcript.",
    SourceKind.REFERENCE: "An encyclopedia or reference page.",
    SourceKind.OTHER: "Anything else: blogs, aggregators, social media posts.",
}


#: Source kinds that are primary records: the ``evidence=primary`` filter and ``confirmed`` need one.
PRIMARY_SOURCE_KINDS: frozenset[SourceKind] = frozenset(
    {
        SourceKind.COURT_FILING,
        SourceKind.GOVERNMENT_RELEASE,
        SourceKind.LEGISLATIVE_RECORD,
        SourceKind.COMPANY_STATEMENT,
    }
)


class Category(StrEnum):
    """The family a relationship type belongs to."""

    PERSONAL = "personal"
    PROFESSIONAL = "professional"
    FINANCIAL = "financial"
    LEGAL = "legal"
    POLITICAL = "political"
    MENTION = "mention"


@dataclass(frozen=True, slots=True)
class RelType:
    """A relationship type: its category and how to read it in each direction.

    ``power`` says whether the type expresses power of one side over the other
    (``"forward"``: the source holds power over the target; ``"reverse"``: the target over
    the source). ``tie`` marks money or family ties. Both drive the conflict-of-interest patterns.
    ``lasting`` marks a state that holds until its end date (an office, a stake, a suit, a
    monitorship), as opposed to a dated act (a plea, a fine, a letter); an open-ended lasting fact
    reads "since <start>, last checked <date>".
    """

    name: str
    category: Category
    verb: str
    reverse_verb: str
    description: str
    symmetric: bool = False
    power: str | None = None
    tie: bool = False
    lasting: bool = False


def _t(
    name: str,
    category: Category,
    verb: str,
    reverse_verb: str,
    description: str,
    **kw: object,
) -> RelType:
    return RelType(name, category, verb, reverse_verb, description, **kw)  # type: ignore[arg-type]


P, PRO, FIN, LEG, POL, MEN = (
    Category.PERSONAL,
    Category.PROFESSIONAL,
    Category.FINANCIAL,
    Category.LEGAL,
    Category.POLITICAL,
    Category.MENTION,
)

_TYPES: list[RelType] = [
    # personal
    _t(
        "family_of",
        P,
        "is family of",
        "is family of",
        "Family or life partner; role says which.",
        symmetric=True,
        tie=True,
    ),
    _t(
        "associate_of",
        P,
        "is an associate of",
        "is an associate of",
        "Friend or close associate.",
        symmetric=True,
    ),
    _t("met", P, "met", "met", "A reported meeting between two parties.", symmetric=True),
    # professional
    _t("founded", PRO, "founded", "was founded by", "Founder of an organisation or venture."),
    _t("co_founded", PRO, "co-founded", "was co-founded by", "One of several founders."),
    _t("ceo_of", PRO, "served as CEO of", "was led by", "Chief executive."),
    _t("co_ceo_of", PRO, "served as co-CEO of", "was co-led by", "Joint chief executive."),
    _t("role_at", PRO, "held a role at", "had on its staff", "Any other position; role says which."),
    _t("chair_of", PRO, "chaired", "was chaired by", "Chair of a board or body."),
    _t("hired", PRO, "hired", "was hired by", "Engaged a firm or person (lobbyists, counsel)."),
    _t("advised", PRO, "advised", "was advised by", "Advisory or banking mandate."),
    _t("affiliate_of", PRO, "is an affiliate of", "has as an affiliate", "Corporate affiliate."),
    _t(
        "affiliated_with",
        PRO,
        "is affiliated with",
        "is affiliated with",
        "Looser affiliation.",
        symmetric=True,
    ),
    _t("developed", PRO, "developed", "was developed by", "Built a product or its code."),
    _t(
        "helped_write_code_for",
        PRO,
        "helped write code for",
        "had code written with help from",
        "Contributed code to a product someone else issues (weaker than developed).",
    ),
    _t("listed", PRO, "listed", "was listed by", "An exchange listed an asset."),
    _t("issued", PRO, "issued", "was issued by", "Issuer of a token or stablecoin."),
    _t("custodian_of", PRO, "is custodian of", "is held in custody by", "Holds reserves or assets."),
    _t("promoted", PRO, "promoted", "was promoted by", "Publicly promoted an asset or venture."),
    _t("announced", PRO, "announced", "was announced by", "Made an announcement of an event."),
    _t("merged_with", PRO, "merged with", "merged with", "Merger of two firms.", symmetric=True),
    _t("participated_in", PRO, "participated in", "had as a participant", "Took part in an event."),
    _t(
        "in_talks_with",
        PRO,
        "held talks with",
        "held talks with",
        "Reported negotiations; the status says how sure that is.",
        symmetric=True,
    ),
    # financial
    _t("owns", FIN, "owns", "is owned by", "Full ownership.", tie=True),
    _t("owns_stake_in", FIN, "owns a stake in", "is partly owned by", "Partial ownership.", tie=True),
    _t("shareholder_of", FIN, "is a shareholder of", "has as a shareholder", "Shareholder.", tie=True),
    _t("controls", FIN, "controls", "is controlled by", "Control without stated ownership.", tie=True),
    _t("invested_in", FIN, "invested in", "received investment from", "An investment.", tie=True),
    _t("funded", FIN, "funded", "was funded by", "Gave money to.", tie=True),
    _t("owes", FIN, "owes a debt to", "is owed a debt by", "A loan or other debt.", tie=True),
    _t("donated_to", FIN, "donated to", "received a donation from", "A donation or contribution.", tie=True),
    _t(
        "revenue_share_in",
        FIN,
        "is entitled to a share of the revenue of",
        "shares its revenue with",
        "Contractual revenue share.",
        tie=True,
    ),
    _t("received_income_from", FIN, "received income from", "paid income to", "Reported income.", tie=True),
    _t("paid_with", FIN, "paid with", "was the means of payment of", "Settled a deal in an asset.", tie=True),
    _t("holds", FIN, "holds", "is held by", "Holds tokens or assets.", tie=True),
    _t(
        "held_in_wallets",
        FIN,
        "held in its wallets coins of",
        "had coins held in the wallets of",
        "Coins of an asset sat in the party's wallets (e.g. an exchange's); not ownership.",
    ),
    # legal / regulatory
    _t("party_to", LEG, "is a party to", "has as a party", "Party to an agreement; role says how."),
    _t("signed", LEG, "signed", "was signed by", "Signatory of an agreement or letter."),
    _t(
        "pleaded_guilty",
        LEG,
        "pleaded guilty to charges brought by",
        "obtained a guilty plea from",
        "Guilty plea in a prosecution.",
        power="reverse",
    ),
    _t(
        "accepted_plea",
        LEG,
        "accepted the guilty plea of",
        "had a guilty plea accepted by",
        "A court accepted a plea.",
        power="forward",
    ),
    _t("fined_by", LEG, "was fined by", "fined", "A fine or penalty.", power="reverse"),
    _t(
        "forfeited_to",
        LEG,
        "forfeited funds to",
        "received forfeited funds from",
        "Forfeiture.",
        power="reverse",
    ),
    _t(
        "settled_with", LEG, "settled with", "reached a settlement with", "Civil settlement.", power="reverse"
    ),
    _t("sued", LEG, "sued", "was sued by", "Brought a lawsuit or enforcement action.", power="forward"),
    _t("investigated", LEG, "investigated", "was investigated by", "Investigation.", power="forward"),
    _t(
        "imposed",
        LEG,
        "imposed",
        "was imposed by",
        "Imposed a measure such as a monitorship.",
        power="forward",
    ),
    _t(
        "monitor_of",
        LEG,
        "is the compliance monitor of",
        "is monitored by",
        "Independent compliance monitor.",
        power="forward",
    ),
    _t("filed_in", LEG, "was filed in", "heard", "Court where a case was filed."),
    _t("paused_case", LEG, "paused", "was paused by", "Paused or stayed a case.", power="forward"),
    _t("dismissed_case", LEG, "dismissed", "was dismissed by", "Dismissed a case.", power="forward"),
    _t(
        "barred_from",
        LEG,
        "was barred from",
        "was named in a bar on",
        "Barred from involvement; role says by whom (e.g. a plea term), never the target.",
    ),
    _t(
        "released_on_bond",
        LEG,
        "was released on bond by",
        "released on bond",
        "Pre-trial release.",
        power="reverse",
    ),
    _t("sentenced_by", LEG, "was sentenced by", "sentenced", "Criminal sentence.", power="reverse"),
    _t("imprisoned_by", LEG, "was imprisoned by", "held in custody", "Custody.", power="reverse"),
    _t("approved", LEG, "approved", "was approved by", "Approval of an order or deal.", power="forward"),
    _t(
        "sought_relief_from",
        LEG,
        "sought regulatory relief from",
        "was asked for relief by",
        "Asked an authority to lift or ease a measure.",
        power="reverse",
    ),
    _t("subject_of", LEG, "is the subject of", "concerns", "The person or firm an act is about."),
    _t(
        "disputed_with",
        LEG,
        "was in a dispute with",
        "was in a dispute with",
        "Legal dispute.",
        symmetric=True,
    ),
    _t("froze_tokens_of", LEG, "froze tokens of", "had tokens frozen by", "Froze holdings.", power="forward"),
    _t(
        "demanded_compliance_with",
        LEG,
        "demanded compliance with",
        "was the subject of a compliance demand by",
        "An authority demanded that a party comply with an agreement or order.",
        power="forward",
    ),
    _t("dissolved", LEG, "dissolved", "was dissolved by", "Disbanded a unit or body.", power="forward"),
    # political
    _t("holds_office", POL, "held office at", "had in office", "Public office; role says which."),
    _t("appointed", POL, "appointed", "was appointed by", "Appointed to an office.", power="forward"),
    _t("pardoned", POL, "pardoned", "was pardoned by", "Presidential pardon.", power="forward"),
    _t(
        "sought_pardon_from",
        POL,
        "sought a pardon from",
        "was asked for a pardon by",
        "Pardon request.",
        power="reverse",
    ),
    _t("lobbied", POL, "lobbied", "was lobbied by", "Lobbying."),
    _t("criticized", POL, "criticized", "was criticized by", "Public criticism."),
    _t("addressed_to", POL, "was addressed to", "received", "A letter or request sent to."),
    # mention
    _t("mentions", MEN, "mentions", "is mentioned in", "A document names an entity."),
    _t(
        "denied_knowing",
        MEN,
        "denied knowing",
        "was said not to be known by",
        "A public statement denying acquaintance.",
    ),
    _t(
        "possibly_same_as",
        MEN,
        "is possibly the same as",
        "is possibly the same as",
        "A low-confidence match between records (similar names or ids); never merged.",
        symmetric=True,
    ),
    # types the importers need (FollowTheMoney, ICIJ Offshore Leaks, LittleSis)
    _t("sanctioned", LEG, "sanctioned", "was sanctioned by", "Listed on a sanctions list.", power="forward"),
    _t("registered_at", PRO, "is registered at", "is the address of", "A registered or postal address."),
    _t(
        "intermediary_of",
        PRO,
        "acted as intermediary for",
        "used as intermediary",
        "Agent that set up or ran an entity (law firm, bank, registered agent).",
    ),
    _t("represents", PRO, "represents", "is represented by", "Agent, lawyer or lobbyist of a client."),
    _t("succeeded_by", PRO, "was succeeded by", "succeeded", "A successor organisation or officeholder."),
]

#: Types that describe a state lasting until the relationship's end date.
_LASTING = frozenset(
    {
        "family_of",
        "associate_of",
        "ceo_of",
        "co_ceo_of",
        "role_at",
        "chair_of",
        "hired",
        "advised",
        "affiliate_of",
        "affiliated_with",
        "custodian_of",
        "in_talks_with",
        "owns",
        "owns_stake_in",
        "shareholder_of",
        "controls",
        "revenue_share_in",
        "holds",
        "party_to",
        "sued",
        "investigated",
        "monitor_of",
        "paused_case",
        "barred_from",
        "released_on_bond",
        "imprisoned_by",
        "disputed_with",
        "holds_office",
        "sought_pardon_from",
    }
)

REL_TYPES: dict[str, RelType] = {t.name: dataclasses.replace(t, lasting=t.name in _LASTING) for t in _TYPES}

CATEGORY_HELP: dict[Category, str] = {
    Category.PERSONAL: "Family, friendship, meetings.",
    Category.PROFESSIONAL: "Roles, founding, products, talks between firms.",
    Category.FINANCIAL: "Ownership, investment, payment, holdings.",
    Category.LEGAL: "Prosecutions, pleas, settlements, monitorships, court acts, agreements.",
    Category.POLITICAL: "Offices, pardons, lobbying, letters and criticism from officials.",
    Category.MENTION: "A document or statement that names an entity.",
}


def rel_type(name: str) -> RelType:
    """Return the declared relationship type ``name`` (raises ``KeyError`` if unknown)."""
    return REL_TYPES[name]


def neo4j_rel_type(name: str) -> str:
    """Neo4j relationship type for a vocabulary name: ``founded`` -> ``FOUNDED``."""
    if name not in REL_TYPES:
        msg = f"unknown relationship type {name!r}"
        raise KeyError(msg)
    return name.upper()


def label_for_kind(kind: str) -> str:
    """Neo4j label for an entity kind: ``person`` -> ``Person``."""
    return EntityKind(kind).value.capitalize()
