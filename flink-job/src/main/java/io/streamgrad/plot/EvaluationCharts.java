package io.streamgrad.plot;

import io.streamgrad.evaluate.EvaluationMetrics;
import io.streamgrad.schema.Task;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Rectangle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYTextAnnotation;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.LookupPaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The charts of an evaluation, each as PNG and SVG: the confusion matrix (classifiers), the ROC
 * curve (binary) and the reliability curve (classifiers). Regression has none of these.
 */
public final class EvaluationCharts {
    static final int SIZE = 700;

    /** ROC points drawn at most; a longer curve is thinned evenly (the AUC is computed exactly). */
    static final int MAX_ROC_POINTS = 5_000;

    private EvaluationCharts() {}

    /**
     * Writes {@code PREFIX-confusion}, {@code PREFIX-roc} (binary) and {@code PREFIX-reliability}
     * as .png and .svg; returns the files written (none for regression).
     */
    public static List<Path> write(String prefix, String title, EvaluationMetrics m)
            throws IOException {
        List<Path> written = new ArrayList<>();
        if (m.task() == Task.REGRESSION || m.events() == 0) {
            return written;
        }
        written.addAll(save(confusion(title, m), prefix + "-confusion"));
        if (m.task() == Task.BINARY && !m.roc().isEmpty() && m.rocAuc() != null) {
            written.addAll(save(roc(title, m), prefix + "-roc"));
        }
        written.addAll(save(reliability(title, m), prefix + "-reliability"));
        return written;
    }

    private static List<Path> save(JFreeChart chart, String stem) throws IOException {
        Path png = Path.of(stem + ".png");
        Path svgFile = Path.of(stem + ".svg");
        if (png.toAbsolutePath().getParent() != null) {
            Files.createDirectories(png.toAbsolutePath().getParent());
        }
        ChartUtils.saveChartAsPNG(png.toFile(), chart, SIZE, SIZE);
        SVGGraphics2D svg = new SVGGraphics2D(SIZE, SIZE);
        chart.draw(svg, new Rectangle(0, 0, SIZE, SIZE));
        Files.writeString(svgFile, svg.getSVGDocument());
        return List.of(png, svgFile);
    }

    static JFreeChart confusion(String title, EvaluationMetrics m) {
        long[][] c = m.confusionMatrix();
        int k = c.length;
        double[] xs = new double[k * k];
        double[] ys = new double[k * k];
        double[] zs = new double[k * k];
        long max = 1;
        for (int t = 0; t < k; t++) {
            long support = 0;
            for (long v : c[t]) {
                support += v;
            }
            for (int p = 0; p < k; p++) {
                int i = t * k + p;
                xs[i] = p;
                ys[i] = t;
                // Shade by the share of the true class's examples, so rare classes show too.
                zs[i] = support == 0 ? 0 : c[t][p] / (double) support;
                max = Math.max(max, c[t][p]);
            }
        }
        DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries("confusion", new double[][] {xs, ys, zs});
        XYBlockRenderer renderer = new XYBlockRenderer();
        LookupPaintScale scale = new LookupPaintScale(0, 1.0001, Color.WHITE);
        for (int s = 0; s <= 20; s++) {
            int shade = 255 - (int) Math.round(s / 20.0 * 200);
            scale.add(s / 20.0, new Color(shade, shade, 255));
        }
        renderer.setPaintScale(scale);
        NumberAxis x = new NumberAxis("predicted class");
        NumberAxis y = new NumberAxis("true class");
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        y.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setRange(-0.5, k - 0.5);
        y.setRange(-0.5, k - 0.5);
        y.setInverted(true);
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        if (k <= 20) {
            Font font = new Font(Font.SANS_SERIF, Font.PLAIN, k <= 10 ? 14 : 9);
            for (int t = 0; t < k; t++) {
                for (int p = 0; p < k; p++) {
                    XYTextAnnotation a = new XYTextAnnotation(Long.toString(c[t][p]), p, t);
                    a.setFont(font);
                    plot.addAnnotation(a);
                }
            }
        }
        JFreeChart chart =
                new JFreeChart(
                        "Confusion matrix: " + title, JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        chart.addSubtitle(
                new TextTitle(
                        String.format(
                                "%,d events, accuracy %.4f (shade: share of the true class)",
                                m.events(), m.accuracy())));
        return chart;
    }

    static JFreeChart roc(String title, EvaluationMetrics m) {
        XYSeries curve = new XYSeries("ROC", false, true);
        List<double[]> points = m.roc();
        int step = Math.max(1, (points.size() + MAX_ROC_POINTS - 1) / MAX_ROC_POINTS);
        for (int i = 0; i < points.size(); i += step) {
            curve.add(points.get(i)[0], points.get(i)[1]);
        }
        double[] last = points.get(points.size() - 1);
        curve.add(last[0], last[1]);
        JFreeChart chart =
                unitSquare(
                        "ROC: " + title,
                        "false-positive rate",
                        "true-positive rate",
                        curve,
                        "chance",
                        false);
        chart.addSubtitle(
                new TextTitle(
                        String.format(
                                "ROC AUC %.4f, PR AUC (average precision) %s",
                                m.rocAuc(),
                                m.prAuc() == null ? "n/a" : String.format("%.4f", m.prAuc()))));
        return chart;
    }

    static JFreeChart reliability(String title, EvaluationMetrics m) {
        XYSeries curve = new XYSeries("accuracy per confidence bin", false, true);
        for (EvaluationMetrics.ReliabilityBin b : m.reliability()) {
            if (b.count() > 0) {
                curve.add(b.confidence(), b.accuracy());
            }
        }
        JFreeChart chart =
                unitSquare(
                        "Reliability: " + title,
                        "confidence (probability of the predicted class)",
                        "accuracy",
                        curve,
                        "perfect calibration",
                        true);
        chart.addSubtitle(
                new TextTitle(
                        String.format(
                                "expected calibration error %.4f over %d equal-width bins",
                                m.ece(), m.reliability().size())));
        return chart;
    }

    private static JFreeChart unitSquare(
            String title,
            String xLabel,
            String yLabel,
            XYSeries curve,
            String diagonal,
            boolean shapes) {
        // The diagonal y = x: chance for ROC, perfect calibration for reliability.
        XYSeries reference = new XYSeries(diagonal, false, true);
        reference.add(0, 0);
        reference.add(1, 1);
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(curve);
        data.addSeries(reference);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
        renderer.setSeriesPaint(0, new Color(20, 60, 160));
        renderer.setSeriesStroke(0, new BasicStroke(2.5f));
        renderer.setSeriesShapesVisible(0, shapes);
        renderer.setSeriesPaint(1, new Color(160, 160, 160));
        renderer.setSeriesStroke(
                1,
                new BasicStroke(
                        1f,
                        BasicStroke.CAP_BUTT,
                        BasicStroke.JOIN_MITER,
                        1f,
                        new float[] {4f, 4f},
                        0f));
        NumberAxis x = new NumberAxis(xLabel);
        NumberAxis y = new NumberAxis(yLabel);
        x.setRange(0, 1);
        y.setRange(0, 1);
        XYPlot plot = ChartStyle.xyPlot(data, x, y, renderer);
        JFreeChart chart = ChartStyle.chart(title, plot);
        return chart;
    }
}
