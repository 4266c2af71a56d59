package io.streamgrad.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BatchSizeChartTest {
    @Test
    void drawsTheCurveThePointsAndTheMarkers(@TempDir Path dir) throws Exception {
        System.setProperty("java.awt.headless", "true");
        // K(b)·T(b) with N_iter 100, C_var 5e4, τ_f 2 ms, τ_d 10 µs: the minimum is at √1e5.
        JFreeChart chart =
                BatchSizeChart.chart(
                        "t",
                        b -> (100 + 5e4 / b) * (2e-3 + 1e-5 * b),
                        8,
                        4_096,
                        new double[] {16, 64, 256, 1024},
                        new double[] {7.0, 2.0, 1.1, 1.3},
                        316.2,
                        256);
        XYPlot plot = chart.getXYPlot();
        assertEquals(201, plot.getDataset().getItemCount(0), "curve");
        assertEquals(4, plot.getDataset().getItemCount(1), "measured points");
        assertEquals(2, plot.getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND).size());
        LossChart.Files2 files = BatchSizeChart.write(chart, dir.resolve("advice"));
        assertTrue(Files.size(files.png()) > 1_000);
        assertTrue(Files.readString(files.svg()).contains("<svg"));
    }
}
