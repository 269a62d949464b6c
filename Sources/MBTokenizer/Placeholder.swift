public enum MBTokenizerPlaceholder {}
