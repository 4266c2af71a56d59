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

    /** What a listener speaks, as far as one TLS handshake tells. */
    enum Listener {
        TLS,
        NOT_TLS,
        UNKNOWN
    }

    /**
     * Why the client cannot talk to the first bootstrap server that accepts a connection: it speaks
     * TLS and the client does not, or the other way round; null when they agree or one handshake
     * cannot tell.
     *
     * @param kafka the servers and the client's settings ({@code security.protocol})
     * @param budgetMs the time left for the probe (ms)
     * @return e.g. "the listener there speaks TLS, but security.protocol is PLAINTEXT …"
     */
    static String protocolMismatch(KafkaClientConfig kafka, long budgetMs) {
        String protocol =
                kafka.settings()
                        .getOrDefault("security.protocol", "PLAINTEXT")
                        .toUpperCase(Locale.ROOT);
        boolean clientTls = protocol.equals("SSL") || protocol.equals("SASL_SSL");
        String first = kafka.bootstrapServers().split(",")[0].strip();
        String host = Utils.getHost(first);
        Integer port = Utils.getPort(first);
        if (host == null || port == null) {
            return null;
        }
        Listener listener = speaks(host, port, (int) Math.min(CONNECT_TIMEOUT_MS, budgetMs));
        String where = kafka.file() != null ? " in " + kafka.file() : "";
        if (listener == Listener.TLS && !clientTls) {
            return "the listener at "
                    + first
                    + " speaks TLS, but security.protocol is "
                    + protocol
                    + (kafka.settings().containsKey("security.protocol") ? where : " (the default)")
                    + ": set security.protocol=SSL, or SASL_SSL with SASL credentials, in a file"
                    + " given as --command-config FILE (and ssl.truststore.location if its"
                    + " certificate is not signed by a CA this JVM trusts)";
        }
        if (listener == Listener.NOT_TLS && clientTls) {
            return "the listener at "
                    + first
                    + " does not speak TLS, but security.protocol is "
                    + protocol
                    + where
                    + ": use "
                    + (protocol.equals("SASL_SSL") ? "SASL_PLAINTEXT" : "PLAINTEXT")
                    + " for this listener, or the port of the cluster's TLS listener";
        }
        return null;
    }

    /**
     * One TLS handshake with the listener, trusting any certificate: it only classifies the
     * protocol, and nothing is sent over the connection after the handshake. A listener that does
     * not speak TLS closes or resets the connection when it reads the client's hello (a Kafka
     * listener takes its first bytes for a request size far beyond its limit).
     */
    static Listener speaks(String host, int port, int timeoutMs) {
        if (timeoutMs <= 0) {
            return Listener.UNKNOWN;
        }
        SSLContext tls;
        try {
            tls = SSLContext.getInstance("TLS");
            tls.init(null, new TrustManager[] {new AnyCertificate()}, null);
        } catch (GeneralSecurityException e) {
            return Listener.UNKNOWN;
        }
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(host, port), timeoutMs);
            raw.setSoTimeout(timeoutMs);
            try (SSLSocket socket =
                    (SSLSocket) tls.getSocketFactory().createSocket(raw, host, port, true)) {
                socket.startHandshake();
                return Listener.TLS;
            }
        } catch (SocketTimeoutException e) {
            return Listener.UNKNOWN; // slow: no proof either way
        } catch (SSLException e) {
            // A TLS alert is TLS spoken (a listener that wants a client certificate refuses this
            // one); closed or reset in answer to the hello is a listener that does not speak it.
            return String.valueOf(e.getMessage()).contains("Received fatal alert")
                    ? Listener.TLS
                    : Listener.NOT_TLS;
        } catch (SocketException e) {
            return e instanceof ConnectException ? Listener.UNKNOWN : Listener.NOT_TLS;
        } catch (IOException e) {
            return Listener.UNKNOWN;
        }
    }

    /** Trusts every certificate: for {@link #speaks}, which only asks whether TLS is spoken. */
    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
