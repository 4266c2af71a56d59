package io.streamgrad.plot;

import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The loss curves of one run: the per-iteration batch loss (measured before each update, so an
 * honest online estimate, jagged), its exponentially smoothed line, and in bounded runs the loss
 * over the whole pass at the end of each epoch, with epoch boundaries marked. Rendered with
 * JFreeChart to PNG and, through JFreeSVG, to SVG.
 */
public final class LossChart {
    public static final int WIDTH = 1000;
    public static final int HEIGHT = 600;

    private LossChart() {}

    /** The two files a chart is written to. */
    public record Files2(Path png, Path svg) {}

    /**
     * Where {@code output} puts the chart: {@code out.png} and {@code out.svg} for {@code out},
     * {@code out.png} or {@code out.svg}.
     */
    public static Files2 targets(Path output) {
        String name = output.getFileName().toString();
        String stem =
                name.endsWith(".png") || name.endsWith(".svg")
                        ? name.substring(0, name.length() - 4)
                        : name;
        return new Files2(
                output.resolveSibling(stem + ".png"), output.resolveSibling(stem + ".svg"));
    }

    public static JFreeChart chart(String title, List<TrainingMetric> metrics) {
        List<TrainingMetric> ordered =
                metrics.stream()
                        .sorted(
                                Comparator.comparingLong(TrainingMetric::getIteration)
                                        .thenComparing(TrainingMetric::getKind))
                        .toList();
        XYSeries batch = new XYSeries("batch loss (before update)", false, true);
        XYSeries smoothed = new XYSeries("smoothed loss", false, true);
        XYSeries fullPass = new XYSeries("full-pass loss (end of epoch)", false, true);
        for (TrainingMetric m : ordered) {
            if (m.getKind() == MetricKind.EPOCH) {
                fullPass.add(m.getIteration(), m.getLoss());
            } else if (m.getKind() == MetricKind.ITERATION) {
                batch.add(m.getIteration(), m.getLoss());
                smoothed.add(m.getIteration(), m.getSmoothedLoss());
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(batch);
        data.addSeries(smoothed);
        if (fullPass.getItemCount() > 0) {
            // A live run has no epochs: no legend entry for a curve it cannot have.
            data.addSeries(fullPass);
        }

        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, new Color(120, 160, 220, 150));
        renderer.setSeriesStroke(0, new BasicStroke(0.8f));
        renderer.setSeriesPaint(1, new Color(20, 60, 160));
        renderer.setSeriesStroke(1, new BasicStroke(2.5f));
        renderer.setSeriesPaint(2, new Color(210, 80, 20));
        renderer.setSeriesStroke(2, new BasicStroke(2f));
        renderer.setSeriesShapesVisible(2, true);

        NumberAxis x = new NumberAxis("iteration (one gradient update each)");
        x.setAutoRangeIncludesZero(false);
        NumberAxis y = new NumberAxis("loss");
        y.setAutoRangeIncludesZero(true);
        XYPlot plot = ChartStyle.xyPlot(data, x, y, renderer);
        for (TrainingMetric m : ordered) {
            if (m.getKind() == MetricKind.EPOCH) {
                ValueMarker end = new ValueMarker(m.getIteration());
                end.setPaint(new Color(160, 160, 160));
                end.setStroke(
                        new BasicStroke(
                                1f,
                                BasicStroke.CAP_BUTT,
                                BasicStroke.JOIN_MITER,
                                1f,
                                new float[] {4f, 4f},
                                0f));
                end.setLabel("end of epoch " + m.getEpoch());
                plot.addDomainMarker(end);
            } else if (m.getKind() == MetricKind.DRIFT) {
                // Where a drift detector fired on the prequential loss (see train
                // --drift-detector).
                ValueMarker drift = new ValueMarker(m.getIteration());
                drift.setPaint(new Color(200, 30, 30));
                drift.setStroke(new BasicStroke(1.5f));
                drift.setLabel("drift: " + m.getDetail().split("[ (:]", 2)[0]);
                plot.addDomainMarker(drift);
            }
        }
        JFreeChart chart = ChartStyle.chart(title, plot);
        chart.addSubtitle(
                new TextTitle(
                        batch.getItemCount()
                                + " iterations"
                                + (fullPass.getItemCount() > 0
                                        ? ", "
                                                + fullPass.getItemCount()
                                                + (fullPass.getItemCount() == 1
                                                        ? " epoch"
                                                        : " epochs")
                                        : "")));
        return chart;
    }

    /** Writes the chart as PNG and SVG. */
    public static Files2 write(String title, List<TrainingMetric> metrics, Path output)
            throws IOException {
        if (metrics.stream().noneMatch(m -> m.getKind() == MetricKind.ITERATION)) {
            throw new IllegalArgumentException("no iteration metrics to plot");
        }
        return save(chart(title, metrics), output);
    }

    /**
     * The smoothed prequential loss of several models (a backtest's variants) on one chart, against
     * the examples each has trained on (variants with other batch sizes make other numbers of
     * iterations over the same events).
     *
     * @param byName per curve name, its models' ITERATION metrics (other kinds are ignored)
     */
    public static JFreeChart comparison(String title, Map<String, List<TrainingMetric>> byName) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (Map.Entry<String, List<TrainingMetric>> e : byName.entrySet()) {
            XYSeries curve = new XYSeries(e.getKey(), false, true);
            e.getValue().stream()
                    .filter(m -> m.getKind() == MetricKind.ITERATION)
                    .sorted(Comparator.comparingLong(TrainingMetric::getIteration))
                    .forEach(m -> curve.add(m.getExamplesSeen(), m.getSmoothedLoss()));
            data.addSeries(curve);
        }
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        NumberAxis x = new NumberAxis("examples trained");
        NumberAxis y = new NumberAxis("smoothed prequential loss (before each update)");
        y.setAutoRangeIncludesZero(true);
        XYPlot plot = ChartStyle.xyPlot(data, x, y, renderer);
        JFreeChart chart = ChartStyle.chart(title, plot);
        return chart;
    }

    /** Writes {@link #comparison} as PNG and SVG. */
    public static Files2 writeComparison(
            String title, Map<String, List<TrainingMetric>> byName, Path output)
            throws IOException {
        return save(comparison(title, byName), output);
    }

    private static Files2 save(JFreeChart chart, Path output) throws IOException {
        Files2 out = targets(output);
        if (out.png().getParent() != null) {
            Files.createDirectories(out.png().getParent());
        }
        ChartUtils.saveChartAsPNG(out.png().toFile(), chart, WIDTH, HEIGHT);
        SVGGraphics2D svg = new SVGGraphics2D(WIDTH, HEIGHT);
        chart.draw(svg, new Rectangle(0, 0, WIDTH, HEIGHT));
        Files.writeString(out.svg(), svg.getSVGDocument());
        return out;
    }
}
