package io.berth.storage.deployment;

import io.quarkus.deployment.annotations.BuildStep;
import io.quarkus.deployment.builditem.FeatureBuildItem;
import io.quarkus.deployment.builditem.ModuleOpenBuildItem;

/**
 * Build steps of the storage module. Its one need of the build is a JVM setting: the packages of
 * {@code java.base} that hold the running state of the JDK's SHA-2 digests must be open to the
 * application, so a chunked upload can save that state (see {@code io.berth.storage.digest}). Quarkus
 * writes the opens into the runner jar's manifest ({@code Add-Opens}) and applies them in tests, so
 * {@code java -jar quarkus-run.jar} needs no command-line flags.
 */
class StorageProcessor {

    private static final String FEATURE = "berth-storage";

    /** The storage jar's Automatic-Module-Name: the module the packages are opened to. */
    private static final String STORAGE_MODULE = "io.berth.storage";

    @BuildStep
    FeatureBuildItem feature() {
        return new FeatureBuildItem(FEATURE);
    }

    @BuildStep
    ModuleOpenBuildItem openDigestState() {
        return new ModuleOpenBuildItem("java.base", STORAGE_MODULE, "sun.security.provider", "java.security");
    }
}
