package io.streamgrad.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.junit.jupiter.api.Test;

class DataDrivenWatermarkGeneratorTest {

    @Test
    void watermarksFollowTheDataInStepsAndNeverTheClock() {
        List<Long> emitted = new ArrayList<>();
        WatermarkOutput out =
                new WatermarkOutput() {
                    @Override
                    public void emitWatermark(Watermark w) {
                        emitted.add(w.getTimestamp());
                    }

                    @Override
                    public void markIdle() {}

                    @Override
                    public void markActive() {}
                };
        DataDrivenWatermarkGenerator<Object> g = new DataDrivenWatermarkGenerator<>(1_000, 100);
        g.onEvent("a", 10_000, out); // first: 10000 - 1000 - 1
        g.onEvent("b", 10_050, out); // moved 50 < 100: nothing
        g.onEvent("c", 9_000, out); // older: nothing
        g.onEvent("d", 10_100, out); // moved 100: emit
        g.onPeriodicEmit(out); // the clock adds nothing
        g.onEvent("e", 12_000, out);
        assertEquals(List.of(8_999L, 9_099L, 10_999L), emitted);
    }
}
