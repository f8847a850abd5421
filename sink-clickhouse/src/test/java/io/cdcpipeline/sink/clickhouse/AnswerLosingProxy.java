package io.cdcpipeline.sink.clickhouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A TCP relay in front of a real ClickHouse server that loses the answer to the first insert: the request reaches
 * the server (which writes the rows), the server's answer is read and thrown away, and the client hears nothing
 * until its timeout, as when a network drops a response. Everything else is relayed as it is.
 */
final class AnswerLosingProxy implements AutoCloseable {

    private final ServerSocket listener;
    private final InetSocketAddress server;
    private final AtomicBoolean armed = new AtomicBoolean(true);
    /** The first line of each answer thrown away (e.g. "HTTP/1.1 200 OK"). */
    final List<String> lostAnswers = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    AnswerLosingProxy(String serverUrl) throws IOException {
        URI uri = URI.create(serverUrl);
        this.server = new InetSocketAddress(uri.getHost(), uri.getPort());
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "answer-losing-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    String url() {
        return "http://127.0.0.1:" + listener.getLocalPort();
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket upstream = new Socket(server.getAddress(), server.getPort());
                sockets.add(client);
                sockets.add(upstream);
                AtomicBoolean loseAnswers = new AtomicBoolean();
                start(() -> relayRequests(client, upstream, loseAnswers));
                start(() -> relayAnswers(upstream, client, loseAnswers));
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void relayRequests(Socket client, Socket upstream, AtomicBoolean loseAnswers) {
        try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                String head = new String(buffer, 0, Math.min(n, 2048), StandardCharsets.ISO_8859_1);
                if (head.startsWith("POST") && head.contains("INSERT") && armed.compareAndSet(true, false)) {
                    loseAnswers.set(true);
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side closed
        }
    }

    private void relayAnswers(Socket upstream, Socket client, AtomicBoolean loseAnswers) {
        try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
            byte[] buffer = new byte[64 * 1024];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                if (loseAnswers.get()) {
                    String answer = new String(buffer, 0, n, StandardCharsets.ISO_8859_1);
                    if (answer.startsWith("HTTP/")) {
                        lostAnswers.add(answer.lines().findFirst().orElse(answer));
                    }
                    continue; // the client keeps waiting
                }
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // either side closed
        }
    }

    private static void start(Runnable relay) {
        Thread thread = new Thread(relay, "answer-losing-proxy-relay");
        thread.setDaemon(true);
        thread.start();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
    }
}
