/** What a terminal or a toast must never get raw from outside text: written here independently of src/lib/text.ts. */

/** Any C0 control, DEL or C1 control. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** The same, except the line feed that ends each line of output. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const RAW_CONTROL_BUT_LF = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

/** A UTF-16 surrogate without its other half (UTF-8 cannot carry it). */
export const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
