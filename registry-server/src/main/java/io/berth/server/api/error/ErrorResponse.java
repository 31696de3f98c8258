package io.berth.server.api.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RegistryException;
import java.util.List;
import java.util.Map;

/** The error body of the distribution spec: {@code {"errors":[{"code","message","detail"}]}}. */
public record ErrorResponse(List<Error> errors) {

    /** One error. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String code, String message, Map<String, Object> detail) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Returns the error body of {@code exception} as JSON text, for the few answers written outside
     * JAX-RS (HTTP filters that refuse a request before any route sees it).
     */
    public static String json(RegistryException exception) {
        try {
            return JSON.writeValueAsString(of(exception));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the error body of " + exception.code(), e);
        }
    }

    static ErrorResponse of(RegistryException exception) {
        return new ErrorResponse(exception.all().stream()
                .map(e -> new Error(e.code().name(), e.getMessage(), e.detail().isEmpty() ? null : e.detail()))
                .toList());
    }

    static ErrorResponse of(String code, String message) {
        return new ErrorResponse(List.of(new Error(code, message, null)));
    }

    static ErrorResponse of(OciErrorCode code, String message) {
        return new ErrorResponse(List.of(new Error(code.name(), message, null)));
    }
}
