package io.streamgrad;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layers of streamgrad point one way: {@code cli → run → job → train → {window, batch, model,
 * drift} → schema}, with {@code advise} (choosing the batch size) beside {@code train} for {@code
 * run} and {@code cli}, {@code serve} (prediction client) under {@code run}, {@code
 * producers}/{@code kafka}/{@code join} beside {@code job}, {@code plot} for the CLI's charts, and
 * {@code config} (setting errors, provenance) usable by all. A dependency against the direction, or
 * a cycle between packages, fails the build.
 */
class ArchitectureTest {
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes =
                new ClassFileImporter()
                        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                        .importPackages("io.streamgrad");
    }

    @Test
    void layersPointOneWay() {
        layeredArchitecture()
                .consideringOnlyDependenciesInLayers()
                .layer("cli")
                .definedBy("io.streamgrad.cli..")
                .layer("run")
                .definedBy("io.streamgrad.run..")
                .layer("plot")
                .definedBy("io.streamgrad.plot..")
                .layer("job")
                .definedBy("io.streamgrad.job..")
                .layer("producers")
                .definedBy(
                        "io.streamgrad.producers..",
                        "io.streamgrad.kafka..",
                        "io.streamgrad.join..")
                .layer("serve")
                .definedBy("io.streamgrad.serve..")
                .layer("train")
                .definedBy("io.streamgrad.train..")
                .layer("evaluate")
                .definedBy("io.streamgrad.evaluate..")
                .layer("advise")
                .definedBy("io.streamgrad.advise..")
                .layer("drift")
                .definedBy("io.streamgrad.drift..")
                .layer("window")
                .definedBy("io.streamgrad.window..")
                .layer("batch")
                .definedBy("io.streamgrad.batch..")
                .layer("model")
                .definedBy("io.streamgrad.model..")
                .layer("config")
                .definedBy("io.streamgrad.config..")
                .layer("schema")
                .definedBy("io.streamgrad.schema..")
                .whereLayer("cli")
                .mayNotBeAccessedByAnyLayer()
                .whereLayer("run")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("plot")
                .mayOnlyBeAccessedByLayers("cli")
                .whereLayer("job")
                .mayOnlyBeAccessedByLayers("run", "cli")
                .whereLayer("serve")
                .mayOnlyBeAccessedByLayers("run", "cli")
                .whereLayer("producers")
                .mayOnlyBeAccessedByLayers("run", "cli", "job", "serve")
                .whereLayer("train")
                .mayOnlyBeAccessedByLayers("job", "run", "cli", "advise", "evaluate", "serve")
                .whereLayer("evaluate")
                .mayOnlyBeAccessedByLayers("job", "run", "cli", "plot", "serve")
                .whereLayer("advise")
                .mayOnlyBeAccessedByLayers("run", "cli")
                .whereLayer("drift")
                .mayOnlyBeAccessedByLayers("train", "job", "run", "cli", "advise")
                .whereLayer("window")
                .mayOnlyBeAccessedByLayers("train", "advise", "job", "run", "cli", "evaluate")
                .whereLayer("batch")
                .mayOnlyBeAccessedByLayers("train", "advise", "job", "run", "cli")
                .whereLayer("model")
                .mayOnlyBeAccessedByLayers(
                        "train", "advise", "job", "run", "cli", "evaluate", "serve")
                .whereLayer("config")
                .mayOnlyBeAccessedByLayers(
                        "cli",
                        "run",
                        "job",
                        "train",
                        "evaluate",
                        "serve",
                        "advise",
                        "window",
                        "batch",
                        "model")
                .check(classes);
    }

    @Test
    void noPackageCycles() {
        slices().matching("io.streamgrad.(*)..").should().beFreeOfCycles().check(classes);
    }
}
