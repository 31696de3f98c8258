package io.berth.server.api.admin;

import io.berth.auth.AccountException;
import io.berth.server.domain.TextInput;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Refuses an admin request body that is not UTF-8. Jackson decodes some invalid sequences without a
 * word (an overlong {@code C0 AF} becomes '/'), so a password or a name could be stored as something
 * the client never sent. Admin bodies are small and already bounded (berth.transfer.max-buffered-body),
 * so reading one whole to check it costs nothing that matters. Manifests have media types of their
 * own and are not touched.
 */
@Provider
public class Utf8JsonBodies implements ReaderInterceptor {

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        MediaType type = context.getMediaType();
        if (type == null || !type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            return context.proceed();
        }
        byte[] body = context.getInputStream().readAllBytes();
        if (TextInput.utf8(body).isEmpty()) {
            throw new AccountException(AccountException.Reason.INVALID, "the request body is not UTF-8");
        }
        context.setInputStream(new ByteArrayInputStream(body));
        return context.proceed();
    }
}
