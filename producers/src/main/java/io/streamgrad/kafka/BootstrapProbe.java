package io.streamgrad.kafka;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.apache.kafka.common.utils.Utils;

/**
 * Tells a broker that is slow to answer from an address where nothing listens, or from a listener
 * that speaks another protocol than the client (TLS or not). Kafka's clients retry a refused
 * connection, and a handshake in the wrong protocol, until their timeout (10 s by default here), so
 * a mistyped port or {@code security.protocol} would cost the whole timeout; one TCP connection
 * attempt per address of each bootstrap server, and one TLS handshake, tell at once.
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
        List<Server> servers = servers(bootstrapServers);
        if (servers == null) {
            return null;
        }
        for (Server server : servers) {
            InetAddress[] ips;
            try {
                ips = InetAddress.getAllByName(server.host());
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
                            new InetSocketAddress(ip, server.port()),
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
            refused.add(server.address());
        }
        return "nothing listens at "
                + String.join(" or ", refused)
                + (noRoute
                        ? " (connection refused, or no route to the host)"
                        : " (connection refused)");
    }

    /** One of {@code bootstrap.servers}: as written, and its host and port. */
    private record Server(String address, String host, int port) {}

    /** The bootstrap servers, or null when one cannot be parsed (the client then decides). */
    private static List<Server> servers(String bootstrapServers) {
        List<Server> out = new ArrayList<>();
        for (String server : bootstrapServers.split(",")) {
            String address = server.strip();
            String host = Utils.getHost(address);
            Integer port = Utils.getPort(address);
            if (host == null || port == null) {
                return null;
            }
            out.add(new Server(address, host, port));
        }
        return out;
    }

    /** What a listener speaks, as far as one TLS handshake tells. */
    enum Listener {
        TLS,
        NOT_TLS,
        UNKNOWN
    }

    /**
     * Why the client cannot talk to the bootstrap servers: every one that accepts a connection
     * speaks TLS and the client does not, or none does and the client does; null when any agrees
     * with the client, none accepts, or a handshake cannot tell.
     *
     * @param kafka the servers and the client's settings ({@code security.protocol})
     * @param budgetMs the time left for the probe (ms)
     * @return e.g. "the listener at localhost:9093 speaks TLS, but security.protocol is PLAINTEXT
     *     …"
     */
    static String protocolMismatch(KafkaClientConfig kafka, long budgetMs) {
        long deadline = System.currentTimeMillis() + budgetMs;
        String protocol =
                kafka.settings()
                        .getOrDefault("security.protocol", "PLAINTEXT")
                        .toUpperCase(Locale.ROOT);
        boolean clientTls = protocol.equals("SSL") || protocol.equals("SASL_SSL");
        List<Server> servers = servers(kafka.bootstrapServers());
        if (servers == null) {
            return null;
        }
        List<String> classified = new ArrayList<>();
        for (Server server : servers) {
            Listener listener = speaks(server.host(), server.port(), deadline);
            if (listener == Listener.UNKNOWN) {
                continue; // not accepting, or too slow: another server may tell
            }
            if ((listener == Listener.TLS) == clientTls) {
                return null; // one server speaks the client's protocol: Kafka's client will find it
            }
            classified.add(server.address());
        }
        if (classified.isEmpty()) {
            return null;
        }
        String listeners =
                (classified.size() == 1 ? "the listener at " : "the listeners at ")
                        + String.join(" and ", classified);
        String where = kafka.file() != null ? " in " + kafka.file() : "";
        if (!clientTls) {
            return listeners
                    + (classified.size() == 1 ? " speaks" : " speak")
                    + " TLS, but security.protocol is "
                    + protocol
                    + (kafka.settings().containsKey("security.protocol") ? where : " (the default)")
                    + ": set security.protocol=SSL, or SASL_SSL with SASL credentials, in a file"
                    + " given as --command-config FILE (and ssl.truststore.location if its"
                    + " certificate is not signed by a CA this JVM trusts)";
        }
        return listeners
                + (classified.size() == 1 ? " does" : " do")
                + " not speak TLS, but security.protocol is "
                + protocol
                + where
                + ": use "
                + (protocol.equals("SASL_SSL") ? "SASL_PLAINTEXT" : "PLAINTEXT")
                + " for "
                + (classified.size() == 1 ? "this listener" : "these listeners")
                + ", or the port of the cluster's TLS listener";
    }

    /**
     * One TLS handshake with the listener at the first of the host's addresses that accepts a
     * connection, trusting any certificate: it only classifies the protocol, and nothing is sent
     * after the handshake. A listener that does not speak TLS closes or resets the connection when
     * it reads the client's hello (a Kafka listener takes its first bytes for a request size far
     * beyond its limit). Any certificate the server showed means TLS, whatever fails after it (a
     * listener that wants a client certificate refuses this one).
     *
     * @param deadline the wall-clock time (ms) by which to give up: UNKNOWN
     */
    static Listener speaks(String host, int port, long deadline) {
        InetAddress[] ips;
        try {
            ips = InetAddress.getAllByName(host);
        } catch (IOException e) {
            return Listener.UNKNOWN;
        }
        for (InetAddress ip : ips) {
            int left = (int) Math.min(CONNECT_TIMEOUT_MS, deadline - System.currentTimeMillis());
            if (left <= 0) {
                return Listener.UNKNOWN;
            }
            Socket raw = new Socket();
            try {
                raw.connect(new InetSocketAddress(ip, port), left);
            } catch (IOException e) {
                closeQuietly(raw);
                continue; // this address does not take it: Kafka's client tries the next too
            }
            return handshake(raw, host, port, left);
        }
        return Listener.UNKNOWN;
    }

    private static Listener handshake(Socket raw, String host, int port, int timeoutMs) {
        AnyCertificate trust = new AnyCertificate();
        try (raw) {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {trust}, null);
            raw.setSoTimeout(timeoutMs);
            try (SSLSocket socket =
                    (SSLSocket) tls.getSocketFactory().createSocket(raw, host, port, true)) {
                socket.startHandshake();
                return Listener.TLS;
            }
        } catch (GeneralSecurityException | SocketTimeoutException e) {
            return trust.shown ? Listener.TLS : Listener.UNKNOWN;
        } catch (SSLException | SocketException e) {
            // Closed or reset in answer to the hello, before any certificate: not TLS.
            return trust.shown ? Listener.TLS : Listener.NOT_TLS;
        } catch (IOException e) {
            return trust.shown ? Listener.TLS : Listener.UNKNOWN;
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // nothing was sent on it
        }
    }

    /**
     * Trusts every certificate, and notes that the server showed one: for {@link #speaks}, which
     * only asks whether TLS is spoken.
     */
    private static final class AnyCertificate implements X509TrustManager {
        volatile boolean shown;

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            shown = true;
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
