package io.streamgrad.plot;

import java.awt.Color;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.ValueAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYItemRenderer;
import org.jfree.data.xy.XYDataset;

/** The one look of streamgrad's charts: white background, light grey grid, legend below. */
final class ChartStyle {
    private static final Color GRID = new Color(220, 220, 220);

    private ChartStyle() {}

    static XYPlot xyPlot(XYDataset data, ValueAxis x, ValueAxis y, XYItemRenderer renderer) {
        XYPlot plot = new XYPlot(data, x, y, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(GRID);
        plot.setRangeGridlinePaint(GRID);
        return plot;
    }

    static JFreeChart chart(String title, XYPlot plot) {
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        return chart;
    }
}
