package io.berth.server.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The API documentation, {@code /q/openapi} and {@code /q/swagger-ui}: {@code berth.api-docs.*}, or
 * {@code BERTH_API_DOCS_*} in the environment. Nothing in Berth reads it: application.properties derives
 * {@code quarkus.smallrye-openapi.enabled} and {@code quarkus.swagger-ui.enabled} from it (both read at
 * run time). The mapping gives the key its type, so a value that is not a boolean stops the start.
 */
@ConfigMapping(prefix = "berth.api-docs")
public interface ApiDocsConfig {

    /** Whether anyone may read the OpenAPI document and Swagger UI; off, both answer 404. */
    @WithDefault("true")
    boolean enabled();
}
