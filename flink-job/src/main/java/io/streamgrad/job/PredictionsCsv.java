package io.streamgrad.job;

import io.streamgrad.schema.Task;
import java.util.ArrayList;
import java.util.List;

/** The predictions file's layout: {@code partition,offset,event_id,label,prediction,p0,p1,…}. */
public final class PredictionsCsv {
    private PredictionsCsv() {}

    /** The header line for a task with this many classes (regression: no probability columns). */
    public static String header(Task task, int classes) {
        List<String> columns =
                new ArrayList<>(List.of("partition", "offset", "event_id", "label", "prediction"));
        if (task != Task.REGRESSION) {
            for (int c = 0; c < classes; c++) {
                columns.add("p" + c);
            }
        }
        return String.join(",", columns);
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    static String quote(String field) {
        if (field.indexOf(',') < 0
                && field.indexOf('"') < 0
                && field.indexOf('\n') < 0
                && field.indexOf('\r') < 0) {
            return field;
        }
        return '"' + field.replace("\"", "\"\"") + '"';
    }
}
