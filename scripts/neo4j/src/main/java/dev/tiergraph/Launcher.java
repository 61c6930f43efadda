package dev.tiergraph;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.BoltConnectorInternalSettings;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.io.ByteUnit;

/**
 * Embedded Neo4j Community with a Bolt connector on 127.0.0.1, for local runs and tests.
 * Usage: Launcher --port N --data-dir DIR [--pagecache 512m]   (heap: -Xmx on the java command)
 * Neo4j's own debug log goes to DIR/logs/debug.log.
 */
public final class Launcher {
    public static void main(String[] args) throws Exception {
        Integer port = null;
        String dataDir = null;
        String pagecache = "512m";
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--port" -> { port = Integer.parseInt(value); i++; }
                case "--data-dir" -> { dataDir = value; i++; }
                case "--pagecache" -> { pagecache = value; i++; }
                default -> usage("unknown argument: " + args[i]);
            }
        }
        if (port == null || dataDir == null) {
            usage("--port and --data-dir are required");
        }

        Path home = Path.of(dataDir).toAbsolutePath();
        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", port))
                .setConfig(GraphDatabaseSettings.auth_enabled, false)
                .setConfig(GraphDatabaseSettings.pagecache_memory, ByteUnit.parse(pagecache))
                // Neo4j sends a usage report (dbms.usage_report.enabled) by default: not from here.
                .setConfig(GraphDatabaseSettings.udc_enabled, false)
                // Bolt waits 5 s + 5 s for connections and its thread pool on shutdown; 1 s each is plenty here.
                .setConfig(BoltConnectorInternalSettings.connection_shutdown_wait_time, Duration.ofSeconds(1))
                .setConfig(BoltConnectorInternalSettings.thread_pool_shutdown_wait_time, Duration.ofSeconds(1))
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(dbms::shutdown, "neo4j-shutdown"));

        System.out.println("READY bolt://127.0.0.1:" + port);
        System.out.flush();
        new CountDownLatch(1).await();
    }

    private static void usage(String message) {
        System.err.println(message);
        System.err.println("usage: Launcher --port N --data-dir DIR [--pagecache 512m]");
        System.exit(2);
    }
}
