/** SameDiff encoders: the ResNet and ViT families. */
package dev.clce.models;
