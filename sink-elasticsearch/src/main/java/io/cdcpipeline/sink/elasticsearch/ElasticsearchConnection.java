package io.cdcpipeline.sink.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.auth.AuthScope;
import org.apache.http.auth.UsernamePasswordCredentials;
import org.apache.http.impl.client.BasicCredentialsProvider;
import org.apache.http.message.BasicHeader;
import org.apache.kafka.connect.errors.ConnectException;
import org.elasticsearch.client.RestClient;
import org.elasticsearch.client.RestClientBuilder;

/**
 * The client of one Elasticsearch cluster, with basic or API-key authentication and, for https:// URLs, an
 * optional trust store. Liveness is the cluster health API: this server answers 405 to {@code GET /}.
 */
final class ElasticsearchConnection implements AutoCloseable {

    private final RestClientTransport transport;
    private final ElasticsearchClient client;

    ElasticsearchConnection(ElasticsearchSinkConfig config) {
        RestClientBuilder builder = RestClient.builder(config.urls().stream().map(HttpHost::create).toArray(HttpHost[]::new));
        if (!config.apiKey().isEmpty()) {
            builder.setDefaultHeaders(new Header[] {new BasicHeader("Authorization", "ApiKey " + config.apiKey())});
        }
        SSLContext ssl = config.truststoreLocation().isEmpty() ? null
                : sslContext(config.truststoreLocation(), config.truststorePassword());
        builder.setHttpClientConfigCallback(http -> {
            if (!config.username().isEmpty()) {
                BasicCredentialsProvider credentials = new BasicCredentialsProvider();
                credentials.setCredentials(AuthScope.ANY,
                        new UsernamePasswordCredentials(config.username(), config.password()));
                http.setDefaultCredentialsProvider(credentials);
            }
            if (ssl != null) {
                http.setSSLContext(ssl);
            }
            return http;
        });
        // A plain ObjectMapper keeps null columns in documents (the client's default mapper drops them).
        transport = new RestClientTransport(builder.build(), new JacksonJsonpMapper(new ObjectMapper()));
        client = new ElasticsearchClient(transport);
    }

    private static SSLContext sslContext(String location, String password) {
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            KeyStore store = KeyStore.getInstance(location.endsWith(".jks") ? "JKS" : "PKCS12");
            store.load(in, password.toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new ConnectException("cannot load the trust store " + location + ": " + e.getMessage(), e);
        }
    }

    ElasticsearchClient client() {
        return client;
    }

    /** The low-level client under it, for requests whose body the sink writes itself (_bulk). */
    RestClient restClient() {
        return transport.restClient();
    }

    /** The cluster's health status (green, yellow, red); throws if the cluster cannot be reached or refuses us. */
    String health() throws IOException {
        return client.cluster().health().status().jsonValue();
    }

    @Override
    public void close() {
        try {
            transport.close();
        } catch (IOException e) {
            // closing: nothing left to do
        }
    }
}
