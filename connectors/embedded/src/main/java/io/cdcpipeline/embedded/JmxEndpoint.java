package io.cdcpipeline.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.rmi.NoSuchObjectException;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.Map;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves this process's MBeans (the sinks' metrics among them) over remote JMX on one port, as a Connect worker
 * does with {@code JMX_PORT}: the lag monitor reads the sinks' per-table watermarks from there in both modes.
 * Registry and connector share the port and listen on one address only (loopback by default); there is no
 * authentication, so a non-loopback address belongs on a trusted network.
 */
final class JmxEndpoint implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(JmxEndpoint.class);

    private final Registry registry;
    private final JMXConnectorServer server;

    private JmxEndpoint(Registry registry, JMXConnectorServer server) {
        this.registry = registry;
        this.server = server;
    }

    /** The URL a JMX client connects to for {@code host:port}; also what the lag monitor builds from "host:port". */
    static String serviceUrl(String host, int port) {
        return "service:jmx:rmi://" + host + ":" + port + "/jndi/rmi://" + host + ":" + port + "/jmxrmi";
    }

    static JmxEndpoint open(String host, int port) {
        try {
            InetAddress address = InetAddress.getByName(host);
            // The stubs handed to clients carry this host name; left to the JVM it may be an address not listened on.
            if (System.getProperty("java.rmi.server.hostname") == null) {
                System.setProperty("java.rmi.server.hostname", host);
            }
            RMIServerSocketFactory sockets = new BoundSockets(address);
            Registry registry = LocateRegistry.createRegistry(port, null, sockets);
            JMXConnectorServer server = JMXConnectorServerFactory.newJMXConnectorServer(
                    new JMXServiceURL(serviceUrl(host, port)),
                    Map.of(RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, sockets),
                    ManagementFactory.getPlatformMBeanServer());
            server.start();
            LOG.info("Metrics over JMX at {}:{} ({})", host, port, server.getAddress());
            return new JmxEndpoint(registry, server);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serve JMX on " + host + ":" + port + " (metrics.jmx.port): "
                    + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (IOException e) {
            LOG.warn("Stopping the JMX connector failed: {}", e.getMessage());
        }
        try {
            UnicastRemoteObject.unexportObject(registry, true);
        } catch (NoSuchObjectException e) {
            // already gone
        }
    }

    /** Server sockets on one address; one instance serves registry and connector, so they share the port. */
    private record BoundSockets(InetAddress address) implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, address);
        }
    }
}
