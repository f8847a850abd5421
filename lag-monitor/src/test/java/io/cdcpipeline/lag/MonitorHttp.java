package io.cdcpipeline.lag;

import io.cdcpipeline.lag.http.MonitorServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Reads the monitor's own HTTP endpoints in tests. */
final class MonitorHttp {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private MonitorHttp() {
    }

    static int status(MonitorServer server, String path) throws Exception {
        return HTTP.send(request(server, path), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    static String body(MonitorServer server, String path) throws Exception {
        return HTTP.send(request(server, path), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static HttpRequest request(MonitorServer server, String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build();
    }
}
