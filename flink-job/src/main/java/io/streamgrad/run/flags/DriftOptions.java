package io.streamgrad.run.flags;

import io.streamgrad.config.InvalidSettingException;
import io.streamgrad.producers.DriftSpec;
import picocli.CommandLine.Option;

/** Flags that make a synthetic stream drift (see {@link DriftSpec}). */
public final class DriftOptions {
    @Option(
            names = "--drift-at",
            defaultValue = "-1",
            description =
                    "Event index where a second teacher takes over (default: none). With"
                            + " --drift-span the change is gradual")
    public long at;

    @Option(
            names = "--drift-span",
            defaultValue = "0",
            description =
                    "Events over which the new teacher's share grows from 0 to 1 (default:"
                            + " ${DEFAULT-VALUE}, an abrupt change)")
    public long span;

    @Option(
            names = "--drift-seed",
            description = "Seed of the second teacher (default: --seed + 1)")
    public Long newTeacherSeed;

    @Option(
            names = "--class-weights",
            split = ",",
            description =
                    "Relative class frequencies, one per class, e.g. 1,9 (default: the"
                            + " teacher's own)")
    public double[] classWeights;

    /** The spec for a stream of this seed; usage errors name the flag. */
    public DriftSpec spec(long seed) {
        if (at < 0 && span > 0) {
            throw new InvalidSettingException("{drift-span} needs {drift-at}");
        }
        try {
            return new DriftSpec(
                    at, span, newTeacherSeed != null ? newTeacherSeed : seed + 1, classWeights);
        } catch (InvalidSettingException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }
}
