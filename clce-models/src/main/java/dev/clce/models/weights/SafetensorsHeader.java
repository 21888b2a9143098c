package dev.clce.models.weights;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The checked header of a safetensors file: its tensors in header order, its optional
 * {@code __metadata__}, and where the data section starts. Made by {@link Safetensors#readHeader}.
 */
public final class SafetensorsHeader {
  private final Path file;
  private final Map<String, SafetensorsTensorInfo> tensors;
  private final Map<String, String> metadata;
  private final long dataStart;
  private final long fileSize;

  SafetensorsHeader(Path file, Map<String, SafetensorsTensorInfo> tensors, Map<String, String> metadata,
      long dataStart, long fileSize) {
    this.file = file;
    this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    this.dataStart = dataStart;
    this.fileSize = fileSize;
  }

  /** @return the file this header was read from */
  public Path file() {
    return file;
  }

  /** @return the tensors by name, in the order the header lists them (unmodifiable) */
  public Map<String, SafetensorsTensorInfo> tensors() {
    return tensors;
  }

  /** @return the {@code __metadata__} string map, empty when the file has none (unmodifiable) */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** @return the absolute file offset of the data section (8 + header length) */
  public long dataStart() {
    return dataStart;
  }

  /** @return the file size, in bytes, when the header was read */
  public long fileSize() {
    return fileSize;
  }
}
