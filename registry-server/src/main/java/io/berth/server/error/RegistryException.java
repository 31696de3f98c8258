package io.berth.server.error;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request the registry refuses: the OCI error code, a message that says what was wrong and how to fix
 * it, and a detail object. Domain values, services and filters throw it; only the API's exception mappers
 * turn it into an answer. Extra errors of the same request (one per missing blob, say) travel with it.
 *
 * <p>The hierarchy is closed: each subclass carries what its answer needs beyond code and message (where
 * an upload stands, how long to wait, how to authenticate), as facts rather than headers, so the mappers
 * can handle every kind and nothing outside them knows HTTP.
 */
public sealed class RegistryException extends RuntimeException
        permits UploadOutOfOrderException, RangeNotSatisfiableException, AuthenticationRequiredException,
        RetryLaterException, ManifestTooLargeException, StillReferencedException {

    private final OciErrorCode code;
    private final Map<String, Object> detail = new LinkedHashMap<>();
    private final List<RegistryException> others = new ArrayList<>();

    public RegistryException(OciErrorCode code, String message) {
        this(code, message, null);
    }

    public RegistryException(OciErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** Adds an entry to the error's detail object. */
    public RegistryException withDetail(String key, Object value) {
        detail.put(key, value);
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

    public Map<String, Object> detail() {
        return detail;
    }

    /** Returns this error followed by the others reported with it. */
    public List<RegistryException> all() {
        List<RegistryException> all = new ArrayList<>(others.size() + 1);
        all.add(this);
        all.addAll(others);
        return all;
    }
}
