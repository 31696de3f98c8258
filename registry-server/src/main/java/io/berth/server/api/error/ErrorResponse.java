package io.berth.server.api.error;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/** The error body of the distribution spec: {@code {"errors":[{"code","message","detail"}]}}. */
public record ErrorResponse(List<Error> errors) {

    /** One error. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String code, String message, Map<String, Object> detail) {
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
