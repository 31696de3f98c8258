package io.berth.auth.token;

import io.berth.auth.AuthConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** An {@link AuthConfig} for tests without Quarkus: defaults, a key dir, and optional key files. */
record TestAuthConfig(Path keyDir, Optional<Path> signingKeyFile, List<Path> verificationKeyFiles, String service)
        implements AuthConfig {

    static TestAuthConfig in(Path keyDir) {
        return new TestAuthConfig(keyDir, Optional.empty(), List.of(), "berth-registry");
    }

    TestAuthConfig signingKey(Path file) {
        return new TestAuthConfig(keyDir, Optional.of(file), verificationKeyFiles, service);
    }

    TestAuthConfig verificationKeys(Path... files) {
        return new TestAuthConfig(keyDir, signingKeyFile, List.of(files), service);
    }

    TestAuthConfig forService(String name) {
        return new TestAuthConfig(keyDir, signingKeyFile, verificationKeyFiles, name);
    }

    @Override
    public boolean enabled() {
        return true;
    }

    @Override
    public Duration credentialCacheTtl() {
        return Duration.ofSeconds(30);
    }

    @Override
    public Token token() {
        return new Token() {
            @Override
            public String issuer() {
                return "berth";
            }

            @Override
            public Optional<String> realm() {
                return Optional.empty();
            }

            @Override
            public String service() {
                return service;
            }

            @Override
            public Duration lifetime() {
                return Duration.ofMinutes(5);
            }

            @Override
            public Duration refreshLifetime() {
                return Duration.ofDays(30);
            }

            @Override
            public Optional<Path> signingKeyFile() {
                return signingKeyFile;
            }

            @Override
            public Optional<List<Path>> verificationKeyFiles() {
                return Optional.of(verificationKeyFiles);
            }

            @Override
            public Path keyDir() {
                return keyDir;
            }
        };
    }

    @Override
    public Login login() {
        return new Login() {
            @Override
            public int maxFailures() {
                return 10;
            }

            @Override
            public Duration window() {
                return Duration.ofMinutes(5);
            }

            @Override
            public int maxNamesPerAddress() {
                return 20;
            }

            @Override
            public int maxFailuresPerAddress() {
                return 100;
            }
        };
    }
}
