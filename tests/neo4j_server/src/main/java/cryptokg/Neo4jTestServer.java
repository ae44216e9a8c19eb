package cryptokg;

import java.io.BufferedReader;
import java.io.FileOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.graphdb.GraphDatabaseService;
import org.neo4j.harness.Neo4j;
import org.neo4j.harness.Neo4jBuilders;

/**
 * Neo4j 5 Community servers for the cryptokg test suite, in one JVM.
 *
 * <p>Usage: {@code java -cp <harness classpath> cryptokg.Neo4jTestServer <workdir>}. Commands
 * arrive one per line on stdin; answers go to stdout, one line each, prefixed {@code CRYPTOKG}:
 *
 * <ul>
 *   <li>{@code start <port> <password> <database>} starts a server whose Bolt connector listens
 *       on 127.0.0.1:{@code port} (0: a free port), with authentication on (user {@code neo4j},
 *       that password) and {@code database} as the default database; answers {@code CRYPTOKG
 *       READY <id> <port> <version>} or {@code CRYPTOKG ERROR <message>}.
 *   <li>{@code stop <id>} stops that server and deletes its files; answers {@code CRYPTOKG
 *       STOPPED <id>}.
 * </ul>
 *
 * <p>When stdin closes (the test session ended or died) or on SIGTERM every server stops and the
 * JVM exits. Neo4j's own output goes to stderr so stdout carries only the answers.
 */
public final class Neo4jTestServer {
  private static final Map<Integer, Neo4j> SERVERS = new TreeMap<>();
  private static final Map<Integer, Path> DIRS = new TreeMap<>();
  private static int nextId = 1;

  private Neo4jTestServer() {}

  public static void main(String[] args) throws Exception {
    PrintStream answers =
        new PrintStream(new FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    Path workdir = Path.of(args.length > 0 ? args[0] : System.getProperty("java.io.tmpdir"));
    Files.createDirectories(workdir);
    Runtime.getRuntime().addShutdownHook(new Thread(Neo4jTestServer::stopAll, "cryptokg-stop"));
    answers.println("CRYPTOKG LAUNCHER " + Runtime.version());
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      List<String> words = List.of(line.trim().split("\\s+"));
      try {
        if (words.get(0).equals("start") && words.size() == 4) {
          answers.println(start(workdir, Integer.parseInt(words.get(1)), words.get(2), words.get(3)));
        } else if (words.get(0).equals("stop") && words.size() == 2) {
          stop(Integer.parseInt(words.get(1)));
          answers.println("CRYPTOKG STOPPED " + words.get(1));
        } else if (!line.isBlank()) {
          answers.println("CRYPTOKG ERROR unknown command: " + line);
        }
      } catch (Exception e) {
        e.printStackTrace();
        answers.println("CRYPTOKG ERROR " + String.valueOf(e).replace('\n', ' '));
      }
    }
    stopAll();
    System.exit(0);
  }

  private static synchronized String start(Path workdir, int port, String password, String database)
      throws Exception {
    int id = nextId++;
    Path dir = Files.createTempDirectory(workdir, "neo4j-" + id + "-");
    Neo4j neo4j =
        Neo4jBuilders.newInProcessBuilder(dir)
            .withDisabledServer()
            .withConfig(BoltConnector.enabled, true)
            .withConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
            .withConfig(GraphDatabaseSettings.auth_enabled, true)
            .withConfig(GraphDatabaseSettings.initial_default_database, database)
            .withConfig(GraphDatabaseSettings.pagecache_memory, 32L * 1024 * 1024)
            // A cap on any one transaction, so a runaway query cannot hold the server for long.
            .withConfig(GraphDatabaseSettings.transaction_timeout, Duration.ofSeconds(120))
            .build();
    SERVERS.put(id, neo4j);
    DIRS.put(id, dir);
    GraphDatabaseService system = neo4j.databaseManagementService().database("system");
    system.executeTransactionally(
        "ALTER USER neo4j SET PASSWORD $pw CHANGE NOT REQUIRED", Map.of("pw", password));
    String version =
        neo4j
            .defaultDatabaseService()
            .executeTransactionally(
                "CALL dbms.components() YIELD versions RETURN versions[0] AS v",
                Map.of(),
                r -> String.valueOf(r.next().get("v")));
    return "CRYPTOKG READY " + id + " " + neo4j.boltURI().getPort() + " " + version;
  }

  private static synchronized void stop(int id) {
    Neo4j neo4j = SERVERS.remove(id);
    if (neo4j != null) {
      neo4j.close();
    }
    Path dir = DIRS.remove(id);
    if (dir != null) {
      deleteTree(dir);
    }
  }

  private static synchronized void stopAll() {
    for (Integer id : List.copyOf(SERVERS.keySet())) {
      try {
        stop(id);
      } catch (RuntimeException e) {
        e.printStackTrace();
      }
    }
  }

  private static void deleteTree(Path dir) {
    try (var paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      e.printStackTrace();
    }
  }
}
