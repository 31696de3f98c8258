package io.berth.server.transfer;

import java.io.InputStream;
import java.util.OptionalLong;

/**
 * A response body whose bytes are still arriving (a blob streaming from an upstream registry): read as
 * it grows, and cut off, with the connection, if reading it fails ({@link GrowingBodyWriter}).
 *
 * @param input the bytes; a read blocks until more arrive and throws if they never will
 * @param length how many bytes it will have, if known (sent as {@code Content-Length}, else chunked)
 */
public record GrowingBody(InputStream input, OptionalLong length) {
}
