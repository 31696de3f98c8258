package io.berth.server.api.error;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request the registry refuses, with the OCI error code, a message that says what was wrong and how
 * to fix it, and a detail object. Services throw it; {@link RegistryExceptionMappers} writes it.
 * Extra errors of the same request (one per missing blob, say) and response headers (the current
 * {@code Range} of a refused chunk) travel with it.
 */
public class RegistryException extends RuntimeException {

    private final OciErrorCode code;
    private final Map<String, Object> detail = new LinkedHashMap<>();
    private final List<RegistryException> others = new ArrayList<>();
    private final Map<String, String> headers = new LinkedHashMap<>();
    private int status;

    public RegistryException(OciErrorCode code, String message) {
        this(code, message, null);
    }

    public RegistryException(OciErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = code.httpStatus();
    }

    /** Adds an entry to the error's detail object. */
    public RegistryException withDetail(String key, Object value) {
        detail.put(key, value);
        return this;
    }

    /** Adds a header to the error response. */
    public RegistryException withHeader(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /** Answers with another status than the code's usual one (a manifest that is too large is a 413). */
    public RegistryException withStatus(int status) {
        this.status = status;
        return this;
    }

    /** Reports another error of the same kind in the same response. */
    public RegistryException and(RegistryException other) {
        others.add(other);
        return this;
    }

    public OciErrorCode code() {
        return code;
    }

    public int status() {
        return status;
    }

    public Map<String, Object> detail() {
        return detail;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** Returns this error followed by the others reported with it. */
    public List<RegistryException> all() {
        List<RegistryException> all = new ArrayList<>(others.size() + 1);
        all.add(this);
        all.addAll(others);
        return all;
    }
}
