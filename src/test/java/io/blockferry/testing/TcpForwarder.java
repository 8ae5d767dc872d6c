package io.blockferry.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A local TCP port that refuses connections until {@link #open} makes it forward to a real
 * service: a service that is down, then comes back, without stopping the shared one.
 */
public final class TcpForwarder implements AutoCloseable {

    private final int port = TestRuntimes.freePort();
    private final int target;
    private volatile ServerSocket server;

    public TcpForwarder(int target) {
        this.target = target;
    }

    public int port() {
        return port;
    }

    public synchronized void open() {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress("127.0.0.1", port));
            server = socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread accept = new Thread(this::acceptLoop, "tcp-forwarder-" + port);
        accept.setDaemon(true);
        accept.start();
    }

    private void acceptLoop() {
        while (server != null && !server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket("127.0.0.1", target);
                pipe(client.getInputStream(), upstream.getOutputStream(), upstream);
                pipe(upstream.getInputStream(), client.getOutputStream(), client);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pipe(InputStream in, OutputStream out, Socket closeAtEnd) {
        Thread t = new Thread(() -> {
            try (closeAtEnd) {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the other side closed: the connection is over
            }
        }, "tcp-forwarder-pipe");
        t.setDaemon(true);
        t.start();
    }

    @Override
    public synchronized void close() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
