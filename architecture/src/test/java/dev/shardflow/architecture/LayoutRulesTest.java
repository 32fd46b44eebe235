package dev.shardflow.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The rules that keep one role per module, checked on the production classes of every module (tests may cross
 * them: an end-to-end test runs every stage). A broken rule fails naming the class and the dependency.
 */
@AnalyzeClasses(packages = "dev.shardflow", importOptions = ImportOption.DoNotIncludeTests.class)
class LayoutRulesTest {

    /** core is the model: pure, so that every module can depend on it and it can be tested without servers. */
    @ArchTest
    static final ArchRule coreImportsNoKafkaNoJdbcAndNoThreads = noClasses()
            .that().resideInAPackage("dev.shardflow.core..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "java.sql..", "javax.sql..",
                    "java.util.concurrent.locks..")
            .orShould().dependOnClassesThat().belongToAnyOf(Thread.class, ThreadGroup.class, java.util.Timer.class,
                    java.util.concurrent.Executor.class, java.util.concurrent.ExecutorService.class,
                    java.util.concurrent.Executors.class, java.util.concurrent.ScheduledExecutorService.class,
                    java.util.concurrent.ForkJoinPool.class, java.util.concurrent.CompletableFuture.class,
                    java.util.concurrent.Future.class, java.util.concurrent.CountDownLatch.class,
                    java.util.concurrent.Semaphore.class)
            .because("core holds the model only; I/O and threads belong to the modules that run things");

    /**
     * The runtime modules meet through topics, tables and the contracts in core, never through each other's
     * classes; the router, which applications embed, carries none of them.
     */
    @ArchTest
    static final ArchRule runtimeModulesNeverImportEachOther = slices()
            .matching("dev.shardflow.(capture|rebalancer|writer|topology|router)..")
            .should().notDependOnEachOther()
            .because("a contract between modules is declared once, in dev.shardflow.core.contract");

    /** The testkit starts servers for tests; only the quickstart (a demo by design) and benchmarks run it. */
    @ArchTest
    static final ArchRule noProductionCodeImportsTheTestkit = noClasses()
            .that().resideOutsideOfPackages("dev.shardflow.testkit..", "dev.shardflow.quickstart..",
                    "dev.shardflow.bench..")
            .should().dependOnClassesThat().resideInAPackage("dev.shardflow.testkit..")
            .because("a deployment must not carry a Kafka broker or database server binaries");

    /** The command line is the operator's front end: nothing is built on it. */
    @ArchTest
    static final ArchRule nothingImportsTheCli = noClasses()
            .that().resideOutsideOfPackage("dev.shardflow.cli..")
            .should().dependOnClassesThat().resideInAPackage("dev.shardflow.cli..")
            .because("what the command line does lives in the modules it calls");

    /** The shared modules (core, jdbc, kafka, process) serve the runtime modules and know none of them. */
    @ArchTest
    static final ArchRule sharedModulesKnowNoRuntimeModule = noClasses()
            .that().resideInAnyPackage("dev.shardflow.jdbc..", "dev.shardflow.kafka..", "dev.shardflow.process..",
                    "dev.shardflow.core..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.shardflow.capture..", "dev.shardflow.rebalancer..",
                    "dev.shardflow.writer..", "dev.shardflow.topology..", "dev.shardflow.router..",
                    "dev.shardflow.cli..", "dev.shardflow.quickstart..", "dev.shardflow.testkit..");
}
