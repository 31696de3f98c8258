package io.berth.server.mirror;

/** The upstream answered that it holds no such repository, manifest or blob (or refused to say: 401, 403). */
public class UpstreamNotFoundException extends RuntimeException {

    public UpstreamNotFoundException(String message) {
        super(message);
    }
}
