package io.streamgrad.kafka;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.utils.Utils;

/**
 * Tells a broker that is slow to answer from an address where nothing listens. Kafka's clients
 * retry a refused connection until their timeout (10 s by default here), so a mistyped port would
 * cost the whole timeout; one TCP connection attempt per bootstrap server tells at once.
 */
final class BootstrapProbe {
    /** How long one connection attempt may take (ms); a slower one proves nothing. */
    static final int CONNECT_TIMEOUT_MS = 1_000;

    private BootstrapProbe() {}

    /**
     * Why no bootstrap server can be reached, when every one of them refuses the connection or has
     * no route; null when any accepts it, is too slow to tell, or cannot be parsed (the client's
     * own timeout then decides).
     *
     * @param bootstrapServers Kafka's {@code bootstrap.servers}: {@code host:port[,host:port...]}
     * @return e.g. "nothing listens at localhost:39999 (connection refused)"
     */
    static String refusal(String bootstrapServers) {
        List<String> refused = new ArrayList<>();
        for (String server : bootstrapServers.split(",")) {
            String address = server.strip();
            String host = Utils.getHost(address);
            Integer port = Utils.getPort(address);
            if (host == null || port == null) {
                return null;
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
                return null; // something listens: Kafka's answer is only slow
            } catch (ConnectException | NoRouteToHostException e) {
                refused.add(address);
            } catch (IOException e) {
                return null; // a timeout or anything else: no proof that nothing listens
            }
        }
        return refused.isEmpty()
                ? null
                : "nothing listens at " + String.join(" or ", refused) + " (connection refused)";
    }
}
