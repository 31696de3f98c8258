package io.berth.server.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.berth.server.domain.TextInput;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Optional;

/**
 * Refuses, while a JSON request body is read, every string value and object key that holds a NUL
 * character or a lone UTF-16 surrogate ({@code "\u0000"}, {@code "\ud800"} are valid JSON). Neither can
 * reach PostgreSQL or a password hash, and checking here covers every field of every admin request at
 * once. The refusal is an {@link InvalidFormatException} naming the field, which the exception mappers
 * answer as a 400. Manifests are read as trees and stored as sent, so this does not touch them.
 */
@Singleton
public class JsonTextGuard implements ObjectMapperCustomizer {

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("berth-json-text-guard")
                .addDeserializer(String.class, new CheckedString())
                .addKeyDeserializer(String.class, new CheckedKey()));
    }

    /** Jackson's own string deserializer (coercions included), followed by the check. */
    private static final class CheckedString extends StringDeserializer {

        @Override
        public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
            String value = super.deserialize(parser, context);
            Optional<String> problem = TextInput.problem(value, TextInput.UNLIMITED);
            if (problem.isPresent()) {
                String field = parser.currentName();
                throw InvalidFormatException.from(parser,
                        (field == null ? "a string" : "the field '" + field + "'") + " " + problem.get(), value, String.class);
            }
            return value;
        }
    }

    /** Object keys (a robot's namespaces) do not go through the string deserializer, so they get their own check. */
    private static final class CheckedKey extends KeyDeserializer {

        @Override
        public Object deserializeKey(String key, DeserializationContext context) throws IOException {
            Optional<String> problem = TextInput.problem(key, TextInput.UNLIMITED);
            if (problem.isPresent()) {
                throw context.weirdKeyException(String.class, key, "the key " + problem.get());
            }
            return key;
        }
    }
}
