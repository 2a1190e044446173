PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE run (runId INTEGER PRIMARY KEY);
INSERT INTO run VALUES(1);
CREATE TABLE runAttr (runId INTEGER, attrName TEXT, attrValue TEXT);
INSERT INTO runAttr VALUES(1,'configname','nic-compare');
INSERT INTO runAttr VALUES(1,'fingerprint','83e90e5cc21a3e80');
INSERT INTO runAttr VALUES(1,'iterationvars','$nic=legacy, $size=512B, $direction=tx');
INSERT INTO runAttr VALUES(1,'repetition','0');
INSERT INTO runAttr VALUES(1,'seed','0');
INSERT INTO runAttr VALUES(1,'status','complete');
CREATE TABLE scalar (runId INTEGER, moduleName TEXT,
                             scalarName TEXT, scalarValue REAL);
INSERT INTO scalar VALUES(1,'client.tx_sink','frames',231.0);
INSERT INTO scalar VALUES(1,'client.tx_sink','goodput_bytes',108570.0);
INSERT INTO scalar VALUES(1,'client.tx_sink','lost',0.0);
INSERT INTO scalar VALUES(1,'cpu.lp0','busy',0.0);
INSERT INTO scalar VALUES(1,'cpu.lp1','busy',0.020235164571428571056);
INSERT INTO scalar VALUES(1,'cpu.lp2','busy',0.0);
INSERT INTO scalar VALUES(1,'cpu.lp3','busy',1.0);
INSERT INTO scalar VALUES(1,'hv.vm','exits.eoi',230.0);
INSERT INTO scalar VALUES(1,'hv.vm','exits.io_port',1151.0);
INSERT INTO scalar VALUES(1,'nic0.vmq','coalesces',0.0);
INSERT INTO scalar VALUES(1,'nic0.vmq','lps_in_use_avg',1.0);
INSERT INTO scalar VALUES(1,'nic0.vmq','spreads',0.0);
CREATE TABLE statistic (runId INTEGER, moduleName TEXT,
                                statName TEXT, statCount INTEGER,
                                statMean REAL);
INSERT INTO statistic VALUES(1,'client.rr','rtt',0,NULL);
COMMIT;
