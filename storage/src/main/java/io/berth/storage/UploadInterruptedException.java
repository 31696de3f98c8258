package io.berth.storage;

/**
 * Thrown when the bytes of an upload stop arriving before the end of the stream (the client went
 * away or the connection broke). What was staged before the append stays as it was.
 */
public class UploadInterruptedException extends RuntimeException {
    public UploadInterruptedException(Throwable cause) {
        super("the upload stream ended early: " + cause.getMessage(), cause);
    }
}
