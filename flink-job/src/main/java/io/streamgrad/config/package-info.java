/**
 * What every layer may use: {@link io.streamgrad.config.InvalidSettingException} (a setting that
 * cannot work, named as in a job file) and {@link io.streamgrad.config.Provenance} (the settings of
 * a configuration record, derived from it). Uses nothing of ours.
 */
package io.streamgrad.config;
