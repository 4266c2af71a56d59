package io.streamgrad.run;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.streamgrad.advise.BatchSizeAdvice;
import io.streamgrad.advise.BatchSizeAdvisor;
import io.streamgrad.advise.StepTimer;
import io.streamgrad.train.TrainingConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code advise} measured and recommends, as the CLI prints it and {@code --summary-json}
 * writes it. Times are seconds, batch sizes examples; see {@link BatchSizeAdvice} for the model.
 */
public record AdviseSummary(
        @JsonProperty("model") String model,
        @JsonProperty("optimizer") String optimizer,
        @JsonProperty("data") String data,
        @JsonProperty("sample_events") int sampleEvents,
        @JsonProperty("backend") String backend,
        @JsonProperty("tau_f_seconds") double tauFSeconds,
        @JsonProperty("tau_f_std_error_seconds") Double tauFStdErrorSeconds,
        @JsonProperty("tau_d_seconds") double tauDSeconds,
        @JsonProperty("fit_rms_residual_seconds") double fitRmsResidualSeconds,
        @JsonProperty("fit_r_squared") double fitRSquared,
        @JsonProperty("trace_sigma") double traceSigma,
        @JsonProperty("trace_sigma_std_error") double traceSigmaStdError,
        @JsonProperty("grad_norm_sq") double gradNormSq,
        @JsonProperty("grad_norm_sq_std_error") double gradNormSqStdError,
        @JsonProperty("noise_scale") double noiseScale,
        @JsonProperty("noise_batch_sizes") List<Integer> noiseBatchSizes,
        @JsonProperty("noise_pairs") int noisePairs,
        @JsonProperty("pilot_batch_size") int pilotBatchSize,
        @JsonProperty("pilot_iterations") int pilotIterations,
        @JsonProperty("pilot_iterations_to_target") int pilotIterationsToTarget,
        @JsonProperty("pilot_first_loss") double pilotFirstLoss,
        @JsonProperty("pilot_target_loss") double pilotTargetLoss,
        @JsonProperty("n_iter") double nIter,
        @JsonProperty("c_var") double cVar,
        @JsonProperty("b_opt") Double bOpt,
        @JsonProperty("recommended_batch_size") int recommendedBatchSize,
        @JsonProperty("largest_fitting_batch_size") int largestFittingBatchSize,
        @JsonProperty("learning_rate") double learningRate,
        @JsonProperty("learning_rate_batch_size") int learningRateBatchSize,
        @JsonProperty("suggested_learning_rate") double suggestedLearningRate,
        @JsonProperty("learning_rate_rule") String learningRateRule,
        @JsonProperty("reasoning") List<String> reasoning,
        @JsonProperty("table") List<Row> table) {

    /**
     * One batch size: its measured step time (null where not measured), the fitted one, and the
     * predictions K(b) and K(b)·T(b).
     */
    public record Row(
            @JsonProperty("batch_size") int batchSize,
            @JsonProperty("measured_seconds") Double measuredSeconds,
            @JsonProperty("fitted_seconds") double fittedSeconds,
            @JsonProperty("predicted_iterations") double predictedIterations,
            @JsonProperty("predicted_seconds") double predictedSeconds,
            @JsonProperty("recommended") boolean recommended) {}

    public static AdviseSummary of(
            TrainingConfig c, String data, String backend, BatchSizeAdvisor.Report r) {
        BatchSizeAdvice a = r.advice();
        List<Row> rows = new ArrayList<>();
        boolean recommendedMeasured = false;
        for (StepTimer.Point p : r.timing()) {
            recommendedMeasured |= p.batchSize() == a.recommendedBatchSize();
        }
        for (StepTimer.Point p : r.timing()) {
            if (!recommendedMeasured
                    && rows.stream().noneMatch(Row::recommended)
                    && a.recommendedBatchSize() < p.batchSize()) {
                rows.add(row(a, r, a.recommendedBatchSize(), null));
            }
            rows.add(row(a, r, p.batchSize(), p.medianSeconds()));
        }
        if (rows.stream().noneMatch(Row::recommended)) {
            rows.add(row(a, r, a.recommendedBatchSize(), null));
        }
        return new AdviseSummary(
                c.spec().shorthand(),
                c.optimizer().name(),
                data,
                r.sampleEvents(),
                backend,
                a.tauFSeconds(),
                // null, not "NaN", where a fit of two points has no error to give
                Double.isNaN(r.fit().tauFStdError()) ? null : r.fit().tauFStdError(),
                a.tauDSeconds(),
                r.fit().rmsResidual(),
                r.fit().rSquared(),
                a.traceSigma(),
                r.noise().traceSigmaStdError(),
                a.gradNormSq(),
                r.noise().gradNormSqStdError(),
                a.noiseScale(),
                List.of(r.noise().bSmall(), r.noise().bBig()),
                r.noise().pairs(),
                r.pilot().batchSize(),
                r.pilot().iterations(),
                r.pilot().iterationsToTarget(),
                r.pilot().firstLoss(),
                r.pilot().targetLoss(),
                a.nIter(),
                a.cVar(),
                a.bOpt(),
                a.recommendedBatchSize(),
                a.largestFittingBatch(),
                a.learningRate(),
                a.referenceBatchSize(),
                a.suggestedLearningRate(),
                a.learningRateRule(),
                a.reasoning(),
                rows);
    }

    private static Row row(BatchSizeAdvice a, BatchSizeAdvisor.Report r, int b, Double measured) {
        return new Row(
                b,
                measured,
                r.fit().predict(b),
                a.iterations(b),
                a.predictedSeconds(b),
                b == a.recommendedBatchSize());
    }
}
