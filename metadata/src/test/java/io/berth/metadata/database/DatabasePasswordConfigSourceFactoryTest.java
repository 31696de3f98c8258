package io.berth.metadata.database;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the datasource password comes from: the external database's setting, or the embedded one's file. */
class DatabasePasswordConfigSourceFactoryTest {

    @TempDir
    Path directory;

    @Test
    void theEmbeddedDefaultUsesThePasswordFileItCreatesInTheDataDirectory() throws Exception {
        SmallRyeConfig config = config(Map.of(
                "berth.data-dir", directory.toString(),
                DatabaseConfig.EMBEDDED_DATA_DIR, "${berth.data-dir}/postgres"));
        String password = config.getValue(DatabasePasswordConfigSourceFactory.DATASOURCE_PASSWORD, String.class);
        assertEquals(Files.readString(directory.resolve("postgres/password")).strip(), password);
    }

    @Test
    void anExternalDatabaseUsesItsConfiguredPasswordAndCreatesNoFile() {
        SmallRyeConfig config = config(Map.of(
                DatabaseConfig.URL, "jdbc:postgresql://db.example.com/berth",
                DatabaseConfig.PASSWORD, "the-operators-password",
                DatabaseConfig.EMBEDDED_DATA_DIR, directory.resolve("postgres").toString()));
        assertEquals("the-operators-password",
                config.getValue(DatabasePasswordConfigSourceFactory.DATASOURCE_PASSWORD, String.class));
        assertFalse(Files.exists(directory.resolve("postgres")));

        SmallRyeConfig withoutPassword = config(Map.of(DatabaseConfig.URL, "jdbc:postgresql://db.example.com/berth"));
        assertEquals(Optional.empty(),
                withoutPassword.getOptionalValue(DatabasePasswordConfigSourceFactory.DATASOURCE_PASSWORD, String.class));
    }

    private static SmallRyeConfig config(Map<String, String> properties) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withSources(new PropertiesConfigSource(properties, "test", 250))
                .withSources(new DatabasePasswordConfigSourceFactory())
                .build();
    }
}
