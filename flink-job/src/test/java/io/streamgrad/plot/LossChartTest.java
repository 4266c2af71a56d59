package io.streamgrad.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamgrad.schema.MetricKind;
import io.streamgrad.schema.TrainingMetric;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class LossChartTest {

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    private static TrainingMetric metric(MetricKind kind, long iteration, int epoch, double loss) {
        return TrainingMetric.newBuilder()
                .setRunId("r")
                .setModel("m")
                .setKind(kind)
                .setIteration(iteration)
                .setEpoch(epoch)
                .setBatchSize(64)
                .setLoss(loss)
                .setSmoothedLoss(loss * 0.9)
                .setExamplesSeen(iteration * 64)
                .setBatchEventTimeMin(0)
                .setBatchEventTimeMax(0)
                .setEmittedAt(iteration)
                .build();
    }

    private static List<TrainingMetric> twoEpochs() {
        List<TrainingMetric> m = new ArrayList<>();
        for (int i = 1; i <= 200; i++) {
            m.add(metric(MetricKind.ITERATION, i, i <= 100 ? 1 : 2, 1.0 / Math.sqrt(i)));
        }
        m.add(metric(MetricKind.EPOCH, 100, 1, 0.15));
        m.add(metric(MetricKind.EPOCH, 200, 2, 0.09));
        return m;
    }

    @Test
    void writesAPngAndAnSvgOfTheCurves(@TempDir Path dir) throws Exception {
        LossChart.Files2 out = LossChart.write("test run", twoEpochs(), dir.resolve("loss.png"));
        assertEquals(dir.resolve("loss.png"), out.png());
        assertEquals(dir.resolve("loss.svg"), out.svg());

        BufferedImage png = ImageIO.read(out.png().toFile());
        assertEquals(LossChart.WIDTH, png.getWidth());
        assertEquals(LossChart.HEIGHT, png.getHeight());
        int smoothedBlue = 0;
        int fullPassOrange = 0;
        for (int x = 0; x < png.getWidth(); x++) {
            for (int y = 0; y < png.getHeight(); y++) {
                int rgb = png.getRGB(x, y) & 0xFFFFFF;
                smoothedBlue += rgb == 0x143CA0 ? 1 : 0;
                fullPassOrange += rgb == 0xD25014 ? 1 : 0;
            }
        }
        assertTrue(smoothedBlue > 300, "the smoothed line is drawn: " + smoothedBlue + " px");
        assertTrue(fullPassOrange > 20, "the full-pass points are drawn: " + fullPassOrange);

        DocumentBuilderFactory xml = DocumentBuilderFactory.newInstance();
        // Well-formedness only: do not fetch the W3C DTD the DOCTYPE names.
        xml.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        Document svg = xml.newDocumentBuilder().parse(out.svg().toFile());
        assertEquals("svg", svg.getDocumentElement().getTagName());
        String text = Files.readString(out.svg());
        assertTrue(text.contains("smoothed loss"), "legend in the SVG");
        assertTrue(text.contains("full-pass loss (end of epoch)"));
        assertTrue(text.contains("epoch 2"), "epoch boundary marked");
        assertTrue(svg.getElementsByTagName("path").getLength() > 3, "curves are paths");
    }

    @Test
    void aLiveRunsChartNamesNoFullPassLoss() {
        List<TrainingMetric> live = new ArrayList<>();
        for (int i = 1; i <= 50; i++) {
            live.add(metric(MetricKind.ITERATION, i, 0, 1.0 / i));
        }
        assertEquals(List.of("batch loss (before update)", "smoothed loss"), legend("live", live));
        List<String> bounded = legend("bounded", twoEpochs());
        assertTrue(bounded.contains("full-pass loss (end of epoch)"), bounded.toString());
    }

    private static List<String> legend(String title, List<TrainingMetric> metrics) {
        org.jfree.chart.LegendItemCollection items =
                LossChart.chart(title, metrics).getXYPlot().getLegendItems();
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < items.getItemCount(); i++) {
            labels.add(items.get(i).getLabel());
        }
        return labels;
    }

    @Test
    void outputNamesAndEmptyInput(@TempDir Path dir) {
        assertEquals(dir.resolve("a.svg"), LossChart.targets(dir.resolve("a")).svg());
        assertEquals(dir.resolve("a.png"), LossChart.targets(dir.resolve("a.svg")).png());
        assertThrows(
                IllegalArgumentException.class,
                () -> LossChart.write("x", List.of(), dir.resolve("none")));
    }

    @Test
    void driftAlarmsAreMarkedWhereTheyFired() {
        List<TrainingMetric> metrics = new java.util.ArrayList<>(twoEpochs());
        TrainingMetric alarm = metric(MetricKind.DRIFT, 7, 1, 0.9);
        alarm.setDetail("page-hinkley: mean loss rose");
        metrics.add(alarm);
        var plot = LossChart.chart("t", metrics).getXYPlot();
        List<org.jfree.chart.plot.ValueMarker> markers = new java.util.ArrayList<>();
        for (Object m : plot.getDomainMarkers(org.jfree.chart.ui.Layer.FOREGROUND)) {
            markers.add((org.jfree.chart.plot.ValueMarker) m);
        }
        org.jfree.chart.plot.ValueMarker drift =
                markers.stream()
                        .filter(m -> m.getLabel().startsWith("drift"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("drift: page-hinkley", drift.getLabel());
        assertEquals(7.0, drift.getValue(), "at the iteration the detector fired");
    }
}
