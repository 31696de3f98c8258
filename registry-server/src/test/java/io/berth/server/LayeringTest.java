package io.berth.server;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server's layering, checked on its compiled classes: the HTTP side ({@code api}, {@code transfer})
 * depends on the domain side ({@code service}, {@code domain}, {@code error}) and never the other way,
 * only the HTTP side knows HTTP, Netty or Vert.x, and resources leave rows and transactions to services.
 * The module boundaries (storage and metadata depend on no other module, auth only on metadata) are
 * the poms' business: a module that is not a dependency cannot be imported.
 */
class LayeringTest {

    private static final String[] DOMAIN_SIDE = {"io.berth.server.service..", "io.berth.server.domain..",
        "io.berth.server.error..", "io.berth.server.mirror.."};
    private static final String[] HTTP_SIDE = {"io.berth.server.api..", "io.berth.server.transfer.."};
    private static final String[] TRANSPORT = {"io.netty..", "io.vertx..", "io.quarkus.vertx..",
        "jakarta.ws.rs..", "org.jboss.resteasy.."};

    private static JavaClasses server;

    @BeforeAll
    static void importServer() {
        server = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.berth.server");
    }

    @Test
    void theDomainSideNeverReachesForTheApi() {
        check(noClasses().that().resideInAnyPackage(DOMAIN_SIDE)
                .should().dependOnClassesThat().resideInAnyPackage(HTTP_SIDE)
                .because("services, domain values and errors speak the registry's terms; the API maps them to HTTP"));
    }

    @Test
    void onlyTheApiAndTransferKnowTheTransport() {
        check(noClasses().that().resideInAPackage("io.berth.server..")
                .and().resideOutsideOfPackages(HTTP_SIDE)
                .should().dependOnClassesThat().resideInAnyPackage(TRANSPORT)
                .because("Netty, Vert.x and JAX-RS stay behind the api and transfer packages"));
    }

    @Test
    void errorsDependOnNothingOfTheServer() {
        check(noClasses().that().resideInAPackage("io.berth.server.error..")
                .should().dependOnClassesThat().resideOutsideOfPackages("io.berth.server.error..", "java..")
                .because("domain values throw them, so they may not lean on anything that throws them"));
    }

    @Test
    void resourcesTouchNoEntityOrTransaction() {
        check(noClasses().that().resideInAnyPackage(HTTP_SIDE)
                .should().dependOnClassesThat().resideInAnyPackage("io.berth.metadata.entity..",
                        "io.quarkus.narayana..", "jakarta.transaction..")
                .because("resources call one service, which owns rows and transactions (STYLE.md 8, 9, 11)"));
    }

    @Test
    void resourcesQueryNoRepository() {
        check(noClasses().that().resideInAnyPackage(HTTP_SIDE)
                .should().dependOnClassesThat().haveSimpleNameEndingWith("Repository")
                .because("queries belong to services; the API may name their value types, not the beans"));
    }

    @Test
    void servicesAreNotWiredToOneStore() {
        check(noClasses().that().resideInAnyPackage(DOMAIN_SIDE)
                .should().dependOnClassesThat().resideInAnyPackage("io.berth.storage.fs..", "io.berth.storage.s3..")
                .because("services use the BlobStore SPI; which store is configured is the producer's choice"));
    }

    private static void check(ArchRule rule) {
        rule.check(server);
    }
}
