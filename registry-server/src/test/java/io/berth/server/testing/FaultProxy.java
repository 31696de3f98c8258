package io.berth.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An HTTP/1.1 proxy on loopback in front of a real upstream registry, which the mirror tests use to
 * see how Berth behaves when the upstream misbehaves: it refuses connections, answers 429, cuts blob
 * bodies off part way, or corrupts them. It logs every request it forwards ("GET /v2/..."), as an
 * access log would. One request per connection: it answers with {@code Connection: close}.
 */
public final class FaultProxy implements AutoCloseable {

    /** What the proxy does to the requests it gets. */
    public enum Mode {
        /** Forward everything unchanged. */
        PASS,
        /** Close every connection at once, as a host that is down (or a dead port) does. */
        DOWN,
        /** Answer every request 429 Too Many Requests, Retry-After 7. */
        TOO_MANY_REQUESTS,
        /** Answer every request 502 Bad Gateway, as an upstream whose own backend fails. */
        SERVER_ERROR,
        /** Take each request and answer nothing for 30 s, keeping the connection open. */
        NO_ANSWER,
        /** Send only the first half of each blob body, then close the connection. */
        CUT_BLOBS,
        /** Change one byte in the middle of each blob body. */
        CORRUPT_BLOBS,
        /** Send the first half of each blob body, then nothing for 30 s, keeping the connection open. */
        STALL_BLOBS
    }

    private final ServerSocket server;
    private final int targetPort;
    private final List<String> log = new CopyOnWriteArrayList<>();
    private volatile Mode mode = Mode.PASS;

    private FaultProxy(ServerSocket server, int targetPort) {
        this.server = server;
        this.targetPort = targetPort;
    }

    /** Starts a proxy to {@code 127.0.0.1:targetPort}. */
    public static FaultProxy start(int targetPort) {
        try {
            ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
            FaultProxy proxy = new FaultProxy(server, targetPort);
            Thread.ofPlatform().daemon().name("fault-proxy").start(proxy::accept);
            return proxy;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** The requests forwarded so far, as {@code METHOD path}. */
    public List<String> log() {
        return List.copyOf(log);
    }

    /** How many forwarded requests were {@code method} of a path containing {@code pathPart}. */
    public long count(String method, String pathPart) {
        return log.stream().filter(line -> line.startsWith(method + " ") && line.contains(pathPart)).count();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Thread.ofVirtual().start(() -> serve(client));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            Mode now = mode;
            if (now == Mode.DOWN) {
                client.setSoLinger(true, 0); // a reset, as from a host with nothing listening
                return;
            }
            InputStream in = client.getInputStream();
            String head = readHead(in);
            if (head == null) {
                return;
            }
            String requestLine = head.substring(0, head.indexOf("\r\n"));
            String[] parts = requestLine.split(" ");
            String method = parts[0];
            String path = parts[1];
            OutputStream out = client.getOutputStream();
            if (now == Mode.TOO_MANY_REQUESTS) {
                out.write(("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 7\r\nContent-Length: 0\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            if (now == Mode.SERVER_ERROR) {
                out.write(("HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
                        + "Connection: close\r\n\r\nbad gateway").getBytes(StandardCharsets.ISO_8859_1));
                return;
            }
            if (now == Mode.NO_ANSWER) {
                pause();
                return;
            }
            log.add(method + " " + path);
            try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
                OutputStream toUpstream = upstream.getOutputStream();
                toUpstream.write(withClose(head).getBytes(StandardCharsets.ISO_8859_1));
                toUpstream.flush();
                InputStream fromUpstream = upstream.getInputStream();
                String responseHead = readHead(fromUpstream);
                if (responseHead == null) {
                    return;
                }
                out.write(withClose(responseHead).getBytes(StandardCharsets.ISO_8859_1));
                boolean blob = method.equals("GET") && path.contains("/blobs/") && responseHead.startsWith("HTTP/1.1 200");
                long length = contentLength(responseHead);
                if (method.equals("HEAD")) {
                    return;
                }
                copy(fromUpstream, out, blob ? now : Mode.PASS, length);
            }
        } catch (IOException e) {
            // the client or the upstream went away
        }
    }

    private static void copy(InputStream from, OutputStream to, Mode mode, long length) throws IOException {
        boolean halfOnly = (mode == Mode.CUT_BLOBS || mode == Mode.STALL_BLOBS) && length > 0;
        long limit = halfOnly ? length / 2 : Long.MAX_VALUE;
        long corruptAt = mode == Mode.CORRUPT_BLOBS && length > 0 ? length / 2 : -1;
        byte[] buffer = new byte[64 * 1024];
        long sent = 0;
        for (int read; sent < limit && (read = from.read(buffer, 0, (int) Math.min(buffer.length, limit - sent))) >= 0; ) {
            if (corruptAt >= sent && corruptAt < sent + read) {
                buffer[(int) (corruptAt - sent)] ^= 0x5a;
            }
            to.write(buffer, 0, read);
            sent += read;
        }
        to.flush();
        if (mode == Mode.STALL_BLOBS) {
            pause();
        }
    }

    /** Holds the connection open and silent for longer than any timeout under test. */
    private static void pause() {
        try {
            Thread.sleep(30_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String withClose(String head) {
        StringBuilder out = new StringBuilder();
        for (String line : head.split("\r\n")) {
            if (line.isEmpty() || line.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                continue;
            }
            out.append(line).append("\r\n");
        }
        return out.append("Connection: close\r\n\r\n").toString();
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                return Long.parseLong(line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return -1;
    }

    /** Reads up to and including the blank line that ends a head; null at a clean end of stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : 0;
            if (matched == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing a server socket that failed changes nothing
        }
    }
}
