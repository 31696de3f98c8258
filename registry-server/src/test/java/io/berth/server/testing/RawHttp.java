package io.berth.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * HTTP/1.1 over a plain socket, for requests no HTTP client library will send: malformed percent-escapes
 * in the path, raw bytes in a header or a body. The request goes out byte for byte as given, with
 * {@code Connection: close}, and the answer is read to the end of the stream.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /** One request: {@code target} is the request target as it goes on the wire (path and query, already escaped). */
    public record Request(String method, String target, List<Header> headers, byte[] body) {

        public Request(String method, String target) {
            this(method, target, List.of(), new byte[0]);
        }

        public Request header(String name, byte[] value) {
            List<Header> more = new ArrayList<>(headers);
            more.add(new Header(name, value));
            return new Request(method, target, more, body);
        }

        public Request header(String name, String value) {
            return header(name, value.getBytes(StandardCharsets.UTF_8));
        }

        public Request body(String contentType, byte[] bytes) {
            return header("Content-Type", contentType).withBody(bytes);
        }

        public Request withBody(byte[] bytes) {
            return new Request(method, target, headers, bytes);
        }

        /** The request as it was sent, with bytes outside printable ASCII shown as {@code \xNN}, for a failure message. */
        @Override
        public String toString() {
            StringBuilder shown = new StringBuilder(method).append(' ').append(target);
            headers.forEach(h -> shown.append(" | ").append(h.name()).append(": ").append(printable(h.value())));
            if (body.length > 0) {
                shown.append(" | body: ").append(printable(body));
            }
            return shown.toString();
        }
    }

    public record Header(String name, byte[] value) {
    }

    /** An answer: header names are lower case. */
    public record Response(int status, Map<String, String> headers, byte[] body) {

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    public static Response send(int port, Request request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.writeBytes((request.method() + " " + request.target() + " HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nConnection: close\r\n").getBytes(StandardCharsets.ISO_8859_1));
            for (Header header : request.headers()) {
                head.writeBytes((header.name() + ": ").getBytes(StandardCharsets.ISO_8859_1));
                head.writeBytes(header.value());
                head.writeBytes(new byte[] {'\r', '\n'});
            }
            if (request.body().length > 0 || !request.method().equals("GET") && !request.method().equals("HEAD")) {
                head.writeBytes(("Content-Length: " + request.body().length + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            }
            head.writeBytes(new byte[] {'\r', '\n'});
            out.write(head.toByteArray());
            out.write(request.body());
            out.flush();
            return read(socket.getInputStream(), request.method().equals("HEAD"));
        } catch (IOException e) {
            throw new UncheckedIOException("sending " + request, e);
        }
    }

    private static Response read(InputStream in, boolean head) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
            throw new IOException("not an HTTP status line: " + statusLine);
        }
        Map<String, String> headers = new TreeMap<>();
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        byte[] body = head ? new byte[0]
                : "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? chunked(in) : in.readAllBytes();
        return new Response(Integer.parseInt(parts[1]), headers, body);
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
            body.writeBytes(in.readNBytes(size));
            line(in);
        }
        return body.toByteArray();
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("the connection closed in the middle of the answer's head");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static String printable(byte[] bytes) {
        StringBuilder shown = new StringBuilder();
        for (byte b : bytes) {
            if (b >= 0x20 && b < 0x7f && b != '\\') {
                shown.append((char) b);
            } else {
                shown.append(String.format("\\x%02x", b & 0xff));
            }
        }
        return shown.length() > 300 ? shown.substring(0, 300) + "... (" + bytes.length + " bytes)" : shown.toString();
    }
}
