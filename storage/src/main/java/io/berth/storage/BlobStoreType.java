package io.berth.storage;

import jakarta.enterprise.util.AnnotationLiteral;
import jakarta.inject.Qualifier;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/** Marks a {@link BlobStore} implementation with the {@link StorageConfig.Type} that selects it. */
@Qualifier
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.PARAMETER})
public @interface BlobStoreType {

    StorageConfig.Type value();

    /** The annotation as a value, for {@code Instance.select}. */
    final class Literal extends AnnotationLiteral<BlobStoreType> implements BlobStoreType {
        private final StorageConfig.Type value;

        public Literal(StorageConfig.Type value) {
            this.value = value;
        }

        @Override
        public StorageConfig.Type value() {
            return value;
        }
    }
}
