package io.streamgrad.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.function.DoubleUnaryOperator;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The predicted wall time of a training run against the batch size (b on a logarithmic axis): the
 * model's curve K(b)·T(b), the same prediction at the measured step times K(b)·T_measured(b) as
 * points, and markers at b_opt and the recommended power of two. Rendered like {@link LossChart}.
 */
public final class BatchSizeChart {
    private BatchSizeChart() {}

    /**
     * @param predictedSeconds K(b)·T(b) of the fitted model, drawn as a curve from {@code fromB} to
     *     {@code toB}
     * @param measuredB batch sizes timed
     * @param measuredSeconds K(b)·T_measured(b) at them
     * @param bOpt the continuous optimum, or null
     */
    public static JFreeChart chart(
            String title,
            DoubleUnaryOperator predictedSeconds,
            double fromB,
            double toB,
            double[] measuredB,
            double[] measuredSeconds,
            Double bOpt,
            int recommended) {
        XYSeries curve = new XYSeries("predicted K(b)·T(b), T fitted", false, true);
        int steps = 200;
        for (int i = 0; i <= steps; i++) {
            double b = fromB * Math.pow(toB / fromB, (double) i / steps);
            double t = predictedSeconds.applyAsDouble(b);
            if (t > 0 && Double.isFinite(t)) {
                curve.add(b, t);
            }
        }
        XYSeries points = new XYSeries("K(b)·T(b), T measured (median)", false, true);
        for (int i = 0; i < measuredB.length; i++) {
            if (measuredSeconds[i] > 0) {
                points.add(measuredB[i], measuredSeconds[i]);
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(curve);
        data.addSeries(points);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer();
        renderer.setSeriesLinesVisible(0, true);
        renderer.setSeriesShapesVisible(0, false);
        renderer.setSeriesPaint(0, new Color(20, 60, 160));
        renderer.setSeriesStroke(0, new BasicStroke(2.5f));
        renderer.setSeriesLinesVisible(1, false);
        renderer.setSeriesShapesVisible(1, true);
        renderer.setSeriesPaint(1, new Color(210, 80, 20));

        LogAxis x = new LogAxis("batch size b (examples, log scale)");
        x.setBase(2);
        x.setSmallestValue(0.5);
        x.setTickUnit(new NumberTickUnit(1)); // one tick per power of two
        x.setNumberFormatOverride(new DecimalFormat("0"));
        NumberAxis y = new NumberAxis("predicted time to target (s)");
        y.setAutoRangeIncludesZero(false);
        XYPlot plot = ChartStyle.xyPlot(data, x, y, renderer);
        if (bOpt != null) {
            ValueMarker opt = marker(bOpt, String.format("b_opt %.0f", bOpt), true);
            // Labels on either side of their lines, so that close markers stay readable.
            opt.setLabelAnchor(RectangleAnchor.TOP_LEFT);
            opt.setLabelTextAnchor(TextAnchor.TOP_RIGHT);
            plot.addDomainMarker(opt);
        }
        ValueMarker rec = marker(recommended, "recommended " + recommended, false);
        rec.setLabelAnchor(RectangleAnchor.BOTTOM_RIGHT);
        rec.setLabelTextAnchor(TextAnchor.BOTTOM_LEFT);
        plot.addDomainMarker(rec);
        JFreeChart chart = ChartStyle.chart(title, plot);
        chart.addSubtitle(
                new TextTitle("K(b) = N_iter + C_var/b iterations, T(b) = τ_f + τ_d·b per step"));
        return chart;
    }

    private static ValueMarker marker(double at, String label, boolean dashed) {
        ValueMarker m = new ValueMarker(at);
        m.setPaint(dashed ? new Color(120, 120, 120) : new Color(30, 140, 60));
        m.setStroke(
                dashed
                        ? new BasicStroke(
                                1.5f,
                                BasicStroke.CAP_BUTT,
                                BasicStroke.JOIN_MITER,
                                1f,
                                new float[] {5f, 5f},
                                0f)
                        : new BasicStroke(2f));
        m.setLabel(label);
        return m;
    }

    /** Writes a chart as PNG and SVG next to {@code output} (as {@link LossChart#targets}). */
    public static LossChart.Files2 write(JFreeChart chart, Path output) throws IOException {
        LossChart.Files2 out = LossChart.targets(output);
        if (out.png().getParent() != null) {
            Files.createDirectories(out.png().getParent());
        }
        ChartUtils.saveChartAsPNG(out.png().toFile(), chart, LossChart.WIDTH, LossChart.HEIGHT);
        SVGGraphics2D svg = new SVGGraphics2D(LossChart.WIDTH, LossChart.HEIGHT);
        chart.draw(svg, new Rectangle(0, 0, LossChart.WIDTH, LossChart.HEIGHT));
        Files.writeString(out.svg(), svg.getSVGDocument());
        return out;
    }
}
