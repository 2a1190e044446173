PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE run (runId INTEGER PRIMARY KEY);
INSERT INTO run VALUES(1);
CREATE TABLE runAttr (runId INTEGER, attrName TEXT, attrValue TEXT);
INSERT INTO runAttr VALUES(1,'configname','mm1');
INSERT INTO runAttr VALUES(1,'fingerprint','1bfb2eaeba249991');
INSERT INTO runAttr VALUES(1,'iterationvars','$rho=50%');
INSERT INTO runAttr VALUES(1,'repetition','0');
INSERT INTO runAttr VALUES(1,'seed','0');
INSERT INTO runAttr VALUES(1,'status','complete');
CREATE TABLE scalar (runId INTEGER, moduleName TEXT,
                             scalarName TEXT, scalarValue REAL);
INSERT INTO scalar VALUES(1,'scenario','arrived',2446.0);
INSERT INTO scalar VALUES(1,'scenario','inSystem',0.99037379094736843754);
INSERT INTO scalar VALUES(1,'scenario','served',2446.0);
INSERT INTO scalar VALUES(1,'scenario','sojourn:max',15752163.0);
INSERT INTO scalar VALUES(1,'scenario','sojourn:p50',1376255.0);
INSERT INTO scalar VALUES(1,'scenario','sojourn:p99',8912895.0);
INSERT INTO scalar VALUES(1,'scenario','theory.inSystem',1.0);
INSERT INTO scalar VALUES(1,'scenario','theory.sojourn',2000000.0);
INSERT INTO scalar VALUES(1,'scenario','theory.utilization',0.5);
INSERT INTO scalar VALUES(1,'scenario','utilization',0.51315330842105266739);
CREATE TABLE statistic (runId INTEGER, moduleName TEXT,
                                statName TEXT, statCount INTEGER,
                                statMean REAL);
COMMIT;
