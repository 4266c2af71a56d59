package io.streamgrad.kafka;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Utils;

/**
 * Tells a broker that is slow to answer from an address where nothing listens. Kafka's clients
 * retry a refused connection until their timeout (10 s by default here), so a mistyped port would
 * cost the whole timeout; one TCP connection attempt per address of each bootstrap server tells at
 * once.
 */
final class BootstrapProbe {
    /** How long one connection attempt may take at most (ms); a slower one proves nothing. */
    static final int CONNECT_TIMEOUT_MS = 1_000;

    private BootstrapProbe() {}

    /**
     * Why no bootstrap server can be reached, when every address of every one of them refuses the
     * connection or has no route (as Kafka's client, which tries all of a host's addresses, would
     * find); null when any address accepts it, is too slow to tell, does not resolve, or cannot be
     * parsed (the client's own timeout then decides).
     *
     * @param bootstrapServers Kafka's {@code bootstrap.servers}: {@code host:port[,host:port...]}
     * @param budgetMs the time left for the whole probe (ms); each attempt waits at most this
     * @return e.g. "nothing listens at localhost:39999 (connection refused)"
     */
    static String refusal(String bootstrapServers, long budgetMs) {
        long deadline = System.currentTimeMillis() + budgetMs;
        List<String> refused = new ArrayList<>();
        boolean noRoute = false;
        for (String server : bootstrapServers.split(",")) {
            String address = server.strip();
            String host = Utils.getHost(address);
            Integer port = Utils.getPort(address);
            if (host == null || port == null) {
                return null;
            }
            InetAddress[] ips;
            try {
                ips = InetAddress.getAllByName(host);
            } catch (IOException e) {
                return null;
            }
            for (InetAddress ip : ips) {
                long left = deadline - System.currentTimeMillis();
                if (left <= 0) {
                    return null;
                }
                try (Socket socket = new Socket()) {
                    socket.connect(
                            new InetSocketAddress(ip, port),
                            (int) Math.min(CONNECT_TIMEOUT_MS, left));
                    return null; // something listens: Kafka's answer is only slow
                } catch (NoRouteToHostException e) {
                    noRoute = true;
                } catch (ConnectException e) {
                    // refused
                } catch (IOException e) {
                    return null; // a timeout or anything else: no proof that nothing listens
                }
            }
            refused.add(address);
        }
        return "nothing listens at "
                + String.join(" or ", refused)
                + (noRoute
                        ? " (connection refused, or no route to the host)"
                        : " (connection refused)");
    }
}
