package io.berth.server.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Collects what the exception mappers' fallback logs: an error with a stack trace, which means a request
 * reached a failure nobody mapped (and, from an anonymous client, a way to flood the log).
 */
public final class MapperStackTraces extends Handler {

    private static final Logger MAPPERS = Logger.getLogger("io.berth.server.api.error.RegistryExceptionMappers");

    private final List<String> messages = new CopyOnWriteArrayList<>();

    /** Starts collecting; {@link #stop} ends it and returns the messages of the stack traces seen. */
    public static MapperStackTraces start() {
        MapperStackTraces capture = new MapperStackTraces();
        MAPPERS.addHandler(capture);
        return capture;
    }

    public List<String> stop() {
        MAPPERS.removeHandler(this);
        return List.copyOf(messages);
    }

    /** The messages seen so far. */
    public List<String> seen() {
        return List.copyOf(messages);
    }

    @Override
    public void publish(LogRecord record) {
        if (record.getLevel().intValue() >= Level.SEVERE.intValue() && record.getThrown() != null) {
            messages.add(record.getMessage() + ": " + record.getThrown());
        }
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
