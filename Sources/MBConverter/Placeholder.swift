import MBFormat
