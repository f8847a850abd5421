package io.cdcpipeline.lag.probe;

import io.cdcpipeline.lag.config.MonitorConfig;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * How the monitor talks to one sink's server: its own HTTP client (trusting the sink's CA file when one is set, the
 * JVM's CAs otherwise; trusting any certificate only when {@code tls.verify} is off) and every request carrying the
 * sink's credentials: an Elasticsearch API key, or a user and password (HTTP Basic, which ClickHouse and
 * Elasticsearch both take).
 */
public final class SinkHttp {

    private final HttpClient client;
    private final String authorization;

    private SinkHttp(HttpClient client, String authorization) {
        this.client = client;
        this.authorization = authorization;
    }

    public static SinkHttp of(MonitorConfig.Sink sink) {
        MonitorConfig.Access access = sink.access();
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
        if (access.caFile() != null || !access.verifyTls()) {
            builder.sslContext(sslContext(sink.name(), access));
        }
        String authorization = null;
        if (access.apiKey() != null) {
            authorization = "ApiKey " + access.apiKey();
        } else if (access.user() != null) {
            authorization = "Basic " + Base64.getEncoder().encodeToString((access.user() + ":"
                    + (access.password() == null ? "" : access.password())).getBytes(StandardCharsets.UTF_8));
        }
        return new SinkHttp(builder.build(), authorization);
    }

    public HttpClient client() {
        return client;
    }

    /** A request to the sink's server, with its credentials and a timeout. */
    public HttpRequest.Builder request(String url, Duration timeout) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return request;
    }

    /**
     * Sends a request to the first of the sink's endpoints that answers (a node or replica that is down is skipped);
     * throws the last failure when none does.
     */
    public HttpResponse<String> sendToAny(List<String> urls, Function<String, HttpRequest> request)
            throws IOException, InterruptedException {
        IOException last = null;
        for (String url : urls) {
            try {
                return client.send(request.apply(url), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = e;
            }
        }
        throw new IOException("no endpoint of " + urls + " answered: " + last.getMessage(), last);
    }

    private static SSLContext sslContext(String sink, MonitorConfig.Access access) {
        try {
            TrustManager[] trust;
            if (!access.verifyTls()) {
                trust = new TrustManager[] {new AnyCertificate()};
            } else {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                try (InputStream in = Files.newInputStream(Path.of(access.caFile()))) {
                    int i = 0;
                    for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        store.setCertificateEntry("ca-" + i++, certificate);
                    }
                }
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(store);
                trust = factory.getTrustManagers();
            }
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("sinks." + sink + ".ca.file: cannot read the CA certificates in "
                    + access.caFile() + ": " + e.getMessage(), e);
        }
    }

    /** For tls.verify: false, a choice the user makes in the config (a test server, say), never a default. */
    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
