package io.berth.server.api.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.berth.auth.AccountException;
import io.berth.auth.AuthenticationFailedException;
import io.berth.auth.LoginThrottledException;
import io.berth.metadata.repository.UploadBusyException;
import io.berth.server.api.v2.UploadProgress;
import io.berth.server.error.AuthenticationRequiredException;
import io.berth.server.error.ManifestTooLargeException;
import io.berth.server.error.OciErrorCode;
import io.berth.server.error.RangeNotSatisfiableException;
import io.berth.server.error.RegistryException;
import io.berth.server.error.RetryLaterException;
import io.berth.server.error.StillReferencedException;
import io.berth.server.error.UploadOutOfOrderException;
import io.berth.server.identity.KeycloakUnavailableException;
import io.berth.server.transfer.BodyTooSlowException;
import io.berth.storage.BlobNotFoundException;
import io.berth.storage.DigestMismatchException;
import io.berth.storage.InvalidDigestException;
import io.berth.storage.StorageException;
import io.berth.storage.UploadInterruptedException;
import io.berth.storage.UploadNotFoundException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.UUID;
import org.hibernate.exception.JDBCConnectionException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where failures become HTTP answers in the distribution spec's error format. Domain
 * errors keep their code; storage and database outages become a 503 with a retry hint; anything
 * unexpected is logged with an incident id and answered without internals.
 */
public class RegistryExceptionMappers {

    private static final Logger LOG = Logger.getLogger(RegistryExceptionMappers.class);

    /** Seconds a client should wait before retrying after an outage of storage or database. */
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    @ServerExceptionMapper
    public Response registry(RegistryException e) {
        return answer(switch (e) {
            case AuthenticationRequiredException auth -> 401;
            case ManifestTooLargeException tooLarge -> 413;
            // The spec lists 400 and 405 as the answers to a DELETE the registry does not carry out, and
            // clients (the conformance suite among them) expect one of those; 405 and Allow say "not now".
            case StillReferencedException referenced -> 405;
            default -> e.code().httpStatus();
        }, e);
    }

    /** Answers with the error body and the headers its kind of refusal carries, under {@code status}. */
    private static Response answer(int status, RegistryException e) {
        Response.ResponseBuilder response = Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorResponse.of(e));
        switch (e) {
            case UploadOutOfOrderException upload -> UploadProgress.position(response, upload.repository(),
                    upload.upload(), upload.size());
            case RangeNotSatisfiableException range -> response.header("Content-Range", "bytes */" + range.size());
            case AuthenticationRequiredException auth -> response.header(HttpHeaders.WWW_AUTHENTICATE, auth.challenge());
            case RetryLaterException retry -> response.header(HttpHeaders.RETRY_AFTER,
                    Long.toString(retry.retryAfter().toSeconds()));
            case StillReferencedException referenced -> response.header(HttpHeaders.ALLOW,
                    referenced.content() == StillReferencedException.Content.BLOB ? "GET, HEAD" : "GET, HEAD, PUT");
            default -> {
                // code, message and detail say it all
            }
        }
        return response.build();
    }

    @ServerExceptionMapper
    public Response invalidDigest(InvalidDigestException e) {
        return registry(new RegistryException(OciErrorCode.DIGEST_INVALID, e.getMessage()).withDetail("digest", e.value()));
    }

    @ServerExceptionMapper
    public Response digestMismatch(DigestMismatchException e) {
        return registry(new RegistryException(OciErrorCode.DIGEST_INVALID, e.getMessage() + "; nothing was stored")
                .withDetail("digest", e.expected().toString())
                .withDetail("actual", e.actual().toString()));
    }

    @ServerExceptionMapper
    public Response blobMissingFromStore(BlobNotFoundException e) {
        LOG.warnf("Metadata lists %s but the blob store does not hold it", e.digest());
        return registry(new RegistryException(OciErrorCode.BLOB_UNKNOWN, e.getMessage())
                .withDetail("digest", e.digest().toString()));
    }

    @ServerExceptionMapper
    public Response uploadGone(UploadNotFoundException e) {
        return registry(new RegistryException(OciErrorCode.BLOB_UPLOAD_UNKNOWN, e.getMessage() + "; start a new upload"));
    }

    @ServerExceptionMapper
    public Response uploadInterrupted(UploadInterruptedException e) {
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof BodyTooSlowException slow) {
                LOG.infof("Cut off a request body: %s", slow.getMessage());
                return answer(408, new RegistryException(OciErrorCode.BLOB_UPLOAD_INVALID,
                        slow.getMessage() + "; nothing of this request was recorded, send it again"));
            }
        }
        LOG.debugf("Upload stream ended early: %s", e.getMessage());
        return registry(new RegistryException(OciErrorCode.BLOB_UPLOAD_INVALID,
                e.getMessage() + "; nothing of this request was recorded, resend it"));
    }

    @ServerExceptionMapper
    public Response uploadBusy(UploadBusyException e) {
        return registry(new RegistryException(OciErrorCode.RANGE_INVALID,
                e.getMessage() + "; chunks of one upload must be sent one after the other"));
    }

    /** Credentials that identify nobody (the token endpoint, the admin API). */
    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return registry(new AuthenticationRequiredException(OciErrorCode.UNAUTHORIZED, e.getMessage(),
                AuthenticationRequiredException.BASIC));
    }

    @ServerExceptionMapper
    public Response loginThrottled(LoginThrottledException e) {
        return registry(new RetryLaterException(OciErrorCode.TOOMANYREQUESTS, e.getMessage(), e.retryAfter()));
    }

    /** The admin API's refusals: the same error body, with codes of its own. */
    @ServerExceptionMapper
    public Response accountRequest(AccountException e) {
        int status = switch (e.reason()) {
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case INVALID -> 400;
        };
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(ErrorResponse.of(e.reason().name(), e.getMessage())).build();
    }

    /**
     * A JSON body of the wrong shape (a string where a boolean belongs, a NUL character in a field): the
     * admin API's 400, saying what Jackson could not take. Without this, Quarkus answers an empty 400.
     */
    @ServerExceptionMapper
    public Response mismatchedJson(MismatchedInputException e) {
        return unreadableJson(e);
    }

    private Response unreadableJson(JsonProcessingException e) {
        return accountRequest(new AccountException(AccountException.Reason.INVALID,
                "the request body is not the JSON this endpoint takes: " + e.getOriginalMessage()));
    }

    @ServerExceptionMapper
    public Response storageOutage(StorageException e) {
        LOG.errorf(e, "Blob storage failed: %s", e.getMessage());
        return unavailable("the blob store is unavailable: " + e.getMessage());
    }

    @ServerExceptionMapper
    public Response identityProviderOutage(KeycloakUnavailableException e) {
        LOG.errorf("Keycloak failed: %s", e.getMessage());
        return unavailable("the identity provider is unavailable");
    }

    @ServerExceptionMapper
    public Response webApplication(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (e instanceof NotAllowedException) {
            return registry(new RegistryException(OciErrorCode.UNSUPPORTED, "this endpoint does not support the method"));
        }
        if (e.getCause() instanceof JsonProcessingException json) {
            // Malformed JSON arrives wrapped in a 400 that says only "HTTP 400 Bad Request".
            return unreadableJson(json);
        }
        if (status == 404) {
            return answer(404, new RegistryException(OciErrorCode.UNSUPPORTED, "no such endpoint in the registry API"));
        }
        if (status >= 500) {
            return unexpected(e);
        }
        return answer(status, new RegistryException(OciErrorCode.UNSUPPORTED, e.getMessage()));
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof JDBCConnectionException || cause instanceof SQLTransientConnectionException
                    || (cause instanceof SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08"))) {
                LOG.errorf("The metadata database is unreachable: %s", cause.getMessage());
                return unavailable("the metadata database is unavailable");
            }
        }
        String incident = UUID.randomUUID().toString();
        LOG.errorf(e, "Unexpected failure, incident %s", incident);
        return registry(new RegistryException(OciErrorCode.UNKNOWN,
                "internal error; the server log has the details under incident " + incident)
                .withDetail("incident", incident));
    }

    private Response unavailable(String message) {
        return registry(new RetryLaterException(OciErrorCode.UNAVAILABLE, message + "; retry shortly", RETRY_AFTER));
    }
}
