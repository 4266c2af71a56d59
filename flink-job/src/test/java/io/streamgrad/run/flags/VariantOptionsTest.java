package io.streamgrad.run.flags;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streamgrad.config.InvalidSettingException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VariantOptionsTest {
    @Test
    void aPieceWithoutKeyContinuesTheValueBeforeIt() {
        Map<String, String> s = VariantOptions.settings("name=wide,model=mlp:64,32,batch-size=128");
        assertEquals(Map.of("name", "wide", "model", "mlp:64,32", "batch-size", "128"), s);
        assertEquals(List.of("name", "model", "batch-size"), List.copyOf(s.keySet()), "in order");
        assertThrows(InvalidSettingException.class, () -> VariantOptions.settings("adam"));
        assertThrows(InvalidSettingException.class, () -> VariantOptions.settings("name=a,=b"));
        assertThrows(InvalidSettingException.class, () -> VariantOptions.settings("name=a,name=b"));
    }
}
