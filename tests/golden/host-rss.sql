PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE run (runId INTEGER PRIMARY KEY);
INSERT INTO run VALUES(1);
CREATE TABLE runAttr (runId INTEGER, attrName TEXT, attrValue TEXT);
INSERT INTO runAttr VALUES(1,'configname','host-rss');
INSERT INTO runAttr VALUES(1,'fingerprint','c33542871b0097b4');
INSERT INTO runAttr VALUES(1,'iterationvars','$queues=4, $load=50%');
INSERT INTO runAttr VALUES(1,'repetition','0');
INSERT INTO runAttr VALUES(1,'seed','0');
INSERT INTO runAttr VALUES(1,'status','complete');
CREATE TABLE scalar (runId INTEGER, moduleName TEXT,
                             scalarName TEXT, scalarValue REAL);
INSERT INTO scalar VALUES(1,'cpu.lp0','busy',0.09202060550000000505);
INSERT INTO scalar VALUES(1,'cpu.lp1','busy',0.091972432000000006735);
INSERT INTO scalar VALUES(1,'cpu.lp2','busy',0.091316663500000005981);
INSERT INTO scalar VALUES(1,'cpu.lp3','busy',0.091316567249999994193);
INSERT INTO scalar VALUES(1,'cpu.lp4','busy',0.0);
INSERT INTO scalar VALUES(1,'cpu.lp5','busy',0.0);
INSERT INTO scalar VALUES(1,'cpu.lp6','busy',0.0);
INSERT INTO scalar VALUES(1,'cpu.lp7','busy',0.0);
INSERT INTO scalar VALUES(1,'host.load_sink','frames',1622.0);
INSERT INTO scalar VALUES(1,'host.load_sink','goodput_bytes',2387584.0);
INSERT INTO scalar VALUES(1,'host.load_sink','lost',0.0);
CREATE TABLE statistic (runId INTEGER, moduleName TEXT,
                                statName TEXT, statCount INTEGER,
                                statMean REAL);
COMMIT;
